//! Tasks that run for the life of a process (the tray's schedule follower and outbox sender):
//! a task that fails is started again, and its failure is shown, never left dead and silent.
//!
//! Not a scheduler: a task that returns is done and is not restarted.

use std::future::Future;
use std::time::Duration;

/// The wait before the first restart; it doubles with each failure in a row, up to a minute.
pub const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(60);

/// What a panic said.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "an unknown failure".into())
}

/// Runs `future`, turning a panic inside it into `Err` with what the panic said: for a task
/// that keeps what it owns (its channels) across a restart, so it cannot be spawned anew.
pub async fn catch_unwind<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(cx))) {
        Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
        Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
        Err(payload) => std::task::Poll::Ready(Err(panic_message(payload))),
    })
    .await
}

/// The wait after the `failures`-th failure in a row: [`FIRST_PAUSE`] doubling, up to a minute.
pub fn pause_after(failures: u32) -> Duration {
    FIRST_PAUSE.saturating_mul(1 << failures.saturating_sub(1).min(6)).min(LONGEST_PAUSE)
}

/// Runs `task()` on the current runtime until it returns. When it panics, `failed` is told in
/// words a person can read (`"{name} stopped (…); it was started again"`) and a new `task()` runs
/// after `pause` (doubling up to a minute).
pub fn forever<F, Fut>(
    name: &'static str,
    pause: Duration,
    task: F,
    failed: impl Fn(String) + Send + 'static,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut pause = pause;
        loop {
            match tokio::spawn(task()).await {
                Ok(()) => return,
                Err(e) if e.is_cancelled() => return,
                Err(e) => {
                    let message = format!("{name} stopped ({}); it was started again", panic_message(e.into_panic()));
                    eprintln!("rota: {message}");
                    failed(message);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(LONGEST_PAUSE);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_task_that_panics_is_started_again_and_its_failure_shown() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let shown = Arc::new(Mutex::new(Vec::new()));
        rt.block_on({
            let (runs, shown) = (runs.clone(), shown.clone());
            async move {
                let handle = forever(
                    "the test task",
                    Duration::ZERO,
                    move || {
                        let runs = runs.clone();
                        async move {
                            if runs.fetch_add(1, Ordering::SeqCst) < 2 {
                                panic!("run {} failed", runs.load(Ordering::SeqCst));
                            }
                        }
                    },
                    move |m| shown.lock().unwrap().push(m),
                );
                handle.await.unwrap();
            }
        });
        assert_eq!(runs.load(Ordering::SeqCst), 3, "two failures, then a run that ends");
        assert_eq!(
            *shown.lock().unwrap(),
            ["the test task stopped (run 1 failed); it was started again", "the test task stopped (run 2 failed); it was started again"]
        );
    }
}
