//! Issue 12: the GitHub fuzz targets' corpora and every crash the fuzzer ever found, replayed on
//! stable through the same functions the targets call (the core's targets are replayed by
//! `core/tests/it/fuzz_corpus.rs`).

use std::path::Path;

type Body = fn(&[u8]);

const TARGETS: [(&str, Body); 3] = [
    ("github_issues", rota_io::escalations::github::fuzz_issues),
    ("github_link", rota_io::escalations::github::fuzz_link),
    ("github_timeline", rota_io::escalations::github::fuzz_timeline),
];

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_github_fuzz_corpus_and_regression_replays_without_a_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for (target, run) in TARGETS {
        let src = std::fs::read_to_string(fuzz.join(format!("fuzz_targets/{target}.rs"))).unwrap();
        let name = target.trim_start_matches("github_");
        assert!(src.contains(&format!("github::fuzz_{name}(")), "fuzz_targets/{target}.rs calls another body");
        let corpus = files(&fuzz.join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no seeds");
        for path in corpus.iter().chain(files(&fuzz.join("regressions").join(target)).iter()) {
            let data = std::fs::read(path).unwrap();
            if std::panic::catch_unwind(|| run(&data)).is_err() {
                panic!("{target}: {} panics", path.display());
            }
        }
    }
}
