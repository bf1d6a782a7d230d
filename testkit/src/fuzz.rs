//! The fuzz targets' corpora replayed on stable: each file of `fuzz/corpus/<target>` and
//! `fuzz/regressions/<target>` (every crash the fuzzer ever found) through the function the
//! target calls, so a machine without nightly or cargo-fuzz still runs them.

use std::path::{Path, PathBuf};

/// The fuzz workspace, `fuzz/` at the repository's root.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    out.sort();
    out
}

/// Runs `run` on every seed of `target` (there must be some) and every regression; panics
/// naming the file that made it panic, and what it said.
pub fn replay(target: &str, run: fn(&[u8])) {
    let corpus = files(&dir().join("corpus").join(target));
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no seeds");
    for path in corpus.iter().chain(files(&dir().join("regressions").join(target)).iter()) {
        let data = std::fs::read(path).unwrap();
        if let Err(e) = std::panic::catch_unwind(|| run(&data)) {
            let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            panic!("{target}: {} panics: {msg}", path.display());
        }
    }
}
