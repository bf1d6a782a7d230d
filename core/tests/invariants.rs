//! Architecture invariant: the core does no IO. Its manifest names only time, serialization and
//! text-parsing crates, and chrono's `clock` feature (which reads the system clock) stays off.

#[test]
fn the_core_depends_on_no_io_crate() {
    let manifest = include_str!("../Cargo.toml");
    let deps = manifest.split("[dependencies]").nth(1).expect("a [dependencies] table");
    let deps = deps.split("\n[").next().unwrap_or(deps);
    let names: Vec<&str> = deps
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(['=', '.', ' ']).next().unwrap_or(""))
        .collect();
    let allowed = ["chrono", "chrono-tz", "serde", "toml", "pulldown-cmark"];
    for n in &names {
        assert!(allowed.contains(n), "rota-core must not depend on {n}: IO belongs in src-tauri");
    }
    let workspace = include_str!("../../Cargo.toml");
    let chrono = workspace.lines().find(|l| l.starts_with("chrono =")).expect("chrono pinned in the workspace");
    assert!(chrono.contains("default-features = false") && !chrono.contains("clock"), "the core must not read the clock: {chrono}");
}
