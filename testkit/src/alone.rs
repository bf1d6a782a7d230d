//! A test that changes its process's environment (the proxy variables, the XDG folders, a pinned
//! clock) would change it under every other test of the same binary, running on other threads.
//! Such a test runs again, alone, in a process of its own: [`in_own_process`] is true in that
//! process, where the test does its work; in the first, it starts the other, waits, and says how it
//! ended.

use std::process::Command;

/// Set in the process that runs one test alone: the test's full name.
const ALONE: &str = "ROTA_TEST_ALONE";

/// For the test named `name` (its path in the test binary, `module::function`): true when this
/// process is the one that runs it alone, so the test goes on. Otherwise it runs the test binary
/// again with only that test, fails if that run failed (showing its output), and is false: the
/// test returns at once.
pub fn in_own_process(name: &str) -> bool {
    if std::env::var(ALONE).as_deref() == Ok(name) {
        return true;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(ALONE, name)
        .output()
        .expect("the test binary runs again");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{name}, run alone, failed:\n{said}");
    assert!(said.contains("1 passed"), "{name} was not found when run alone:\n{said}");
    false
}
