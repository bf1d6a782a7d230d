//! Every fuzz target's corpus and every crash the fuzzer ever found, replayed on stable
//! through the same function the target calls (`rota_core::fuzz`), so a machine without nightly or
//! cargo-fuzz still runs them. `scripts/fuzz` grows the corpora; a crash is copied into
//! `fuzz/regressions/<target>/` and stays there.

use rota_testkit::fuzz;

#[test]
fn every_fuzz_corpus_and_regression_replays_without_a_panic() {
    for (target, run) in rota_core::fuzz::TARGETS {
        fuzz::replay(target, run);
    }
}

/// Every target has a fuzz target file that calls its body, and nothing else is a target.
#[test]
fn every_body_has_a_cargo_fuzz_target() {
    let fuzz = fuzz::dir();
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    for (target, _) in rota_core::fuzz::TARGETS {
        let src = std::fs::read_to_string(fuzz.join(format!("fuzz_targets/{target}.rs"))).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(src.contains(&format!("rota_core::fuzz::{target}(")), "fuzz_targets/{target}.rs does not call rota_core::fuzz::{target}");
        assert!(manifest.contains(&format!("name = \"{target}\"")), "fuzz/Cargo.toml has no [[bin]] {target}");
    }
}
