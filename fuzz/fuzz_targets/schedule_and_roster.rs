#![no_main]
// The body lives in the core so the stable test suite replays this target's corpus:
// core/tests/it/fuzz_corpus.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| rota_core::fuzz::schedule_and_roster(data));
