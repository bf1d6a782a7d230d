#![no_main]
// The body lives beside the GitHub client so the stable test suite replays this target's corpus:
// io/tests/it/fuzz_corpus.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| rota_io::escalations::github::fuzz_timeline(data));
