//! Architecture invariant: the core does no IO. Its manifest names only time, serialization and
//! text-parsing crates, and chrono's `clock` feature (which reads the system clock) stays off.

#[test]
fn the_core_depends_on_no_io_crate() {
    let manifest = include_str!("../../Cargo.toml");
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
    let workspace = include_str!("../../../Cargo.toml");
    let chrono = workspace.lines().find(|l| l.starts_with("chrono =")).expect("chrono pinned in the workspace");
    assert!(chrono.contains("default-features = false") && !chrono.contains("clock"), "the core must not read the clock: {chrono}");
}

/// The repository is self-contained. A clone has no `shared` folder beside it, so no
/// file in the repository may read one: what tests need is copied in (with its licence).
#[test]
fn nothing_in_the_repository_reads_a_folder_beside_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // Built from parts, so this file does not match itself.
    let needles = [["..", "/shared"].concat(), ["shared", "/fixtures"].concat()];
    let mut stack = vec![root.clone()];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), ".git" | "target" | "node_modules" | "artifacts" | "gen" | "corpus" | "regressions") {
                    stack.push(path);
                }
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                if needles.iter().any(|n| text.contains(n.as_str())) {
                    found.push(path.strip_prefix(&root).unwrap_or(&path).display().to_string());
                }
            }
        }
    }
    assert!(found.is_empty(), "these files read outside the repository; copy what they need in: {found:?}");
}
