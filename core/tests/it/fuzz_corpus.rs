//! Issue 12: every fuzz target's corpus and every crash the fuzzer ever found, replayed on stable
//! through the same function the target calls (`rota_core::fuzz`), so a machine without nightly or
//! cargo-fuzz still runs them. `scripts/fuzz` grows the corpora; a crash is copied into
//! `fuzz/regressions/<target>/` and stays there.

use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_fuzz_corpus_and_regression_replays_without_a_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for (target, run) in rota_core::fuzz::TARGETS {
        let corpus = files(&fuzz.join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no seeds");
        for path in corpus.iter().chain(files(&fuzz.join("regressions").join(target)).iter()) {
            let data = std::fs::read(path).unwrap();
            if let Err(e) = std::panic::catch_unwind(|| run(&data)) {
                let msg =
                    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                panic!("{target}: {} panics: {msg}", path.display());
            }
        }
    }
}

/// Every target has a fuzz target file that calls its body, and nothing else is a target.
#[test]
fn every_body_has_a_cargo_fuzz_target() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    for (target, _) in rota_core::fuzz::TARGETS {
        let src = std::fs::read_to_string(fuzz.join(format!("fuzz_targets/{target}.rs"))).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(src.contains(&format!("rota_core::fuzz::{target}(")), "fuzz_targets/{target}.rs does not call rota_core::fuzz::{target}");
        assert!(manifest.contains(&format!("name = \"{target}\"")), "fuzz/Cargo.toml has no [[bin]] {target}");
    }
}
