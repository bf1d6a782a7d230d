//! The GitHub fuzz targets' corpora and every crash the fuzzer ever found, replayed on
//! stable through the same functions the targets call (the core's targets are replayed by
//! `core/tests/it/fuzz_corpus.rs`).

use rota_testkit::fuzz;

type Body = fn(&[u8]);

const TARGETS: [(&str, Body); 3] = [
    ("github_issues", rota_io::escalations::github::fuzz_issues),
    ("github_link", rota_io::escalations::github::fuzz_link),
    ("github_timeline", rota_io::escalations::github::fuzz_timeline),
];

#[test]
fn every_github_fuzz_corpus_and_regression_replays_without_a_panic() {
    for (target, run) in TARGETS {
        let src = std::fs::read_to_string(fuzz::dir().join(format!("fuzz_targets/{target}.rs"))).unwrap();
        let name = target.trim_start_matches("github_");
        assert!(src.contains(&format!("github::fuzz_{name}(")), "fuzz_targets/{target}.rs calls another body");
        fuzz::replay(target, run);
    }
}
