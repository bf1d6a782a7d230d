//! How long to wait before retrying a request that failed for a passing reason (a 5xx, a
//! timeout, a lost network): capped exponential backoff with jitter.
//!
//! It is pure: the caller passes the attempt number and the random fraction, and does the
//! waiting. It is not the rate-limit rule: a backend that says when to come back (`retry-after`,
//! `x-ratelimit-reset`) is obeyed as it says, not backed off from.

use std::time::Duration;

/// The delay before retry number `attempt` (0 for the first retry): the exponential step
/// `base * 2^attempt`, capped at `max`, of which the upper half is scaled by `jitter`.
///
/// `jitter` is a random fraction in `0.0..=1.0` (clamped); spreading retries over the upper half
/// keeps many clients from retrying in step while still backing off by at least half a step.
pub fn backoff(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let step = base.saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX)).min(max);
    let half = step / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(attempt: u32, jitter: f64, expected_ms: u64) {
        let got = backoff(attempt, Duration::from_secs(2), Duration::from_secs(300), jitter);
        assert_eq!(got, Duration::from_millis(expected_ms), "attempt {attempt}, jitter {jitter}");
    }

    #[test]
    fn doubles_from_base_and_caps_with_jitter_in_the_upper_half() {
        check(0, 0.0, 1_000);
        check(0, 1.0, 2_000);
        check(1, 0.5, 3_000);
        check(3, 1.0, 16_000);
        check(7, 0.0, 128_000);
        check(8, 1.0, 300_000); // 512 s capped at 300 s
        check(8, 0.0, 150_000);
        check(40, 1.0, 300_000); // huge attempt numbers do not overflow
        check(2, 7.0, 8_000); // jitter is clamped
        check(2, -1.0, 4_000);
    }
}
