//! The core's integration tests, one binary: each module a file of tests, `common` what they share.

mod away;
mod common;
mod coverage;
mod duty;
mod escalation;
mod files;
mod fuzz_corpus;
mod handbook;
mod handoff;
mod handover;
mod hostile;
mod invariants;
mod lifecycle;
mod lint;
mod overrides;
mod plan;
mod properties;
mod remind;
mod reported;
mod slack;
mod stats;
mod timing;
mod tray;
