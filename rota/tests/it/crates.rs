//! The crate boundaries that keep the architecture's invariants, checked on the dependency tree
//! Cargo resolves for every target (ARCHITECTURE.md, "Invariants"):
//! - `rota` (the command line and the lean tray) has no Tauri, GTK or WebKit anywhere below it,
//!   on any platform, so building it needs no WebKit headers and it links no toolkit;
//! - `rota-io` has no command-line parser and no tray or window library.

use std::collections::BTreeSet;
use std::process::Command;

/// Every package (by name) in `package`'s tree for all targets, normal and build dependencies.
fn tree(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--locked", "-p", package, "--target", "all", "-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree -p {package} failed: {}", String::from_utf8_lossy(&out.stderr));
    let names: BTreeSet<String> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect();
    assert!(names.contains(package) && names.len() > 10, "cargo tree gave too little for {package}: {names:?}");
    names
}

/// Packages named `f` or `f-…` for any `f` in `forbidden`. notify-rust's Windows toasts come from
/// `tauri-winrt-notification`, a standalone crate (no Tauri in it): not an offence.
fn offending<'a>(names: &'a BTreeSet<String>, forbidden: &[&str]) -> Vec<&'a String> {
    names
        .iter()
        .filter(|n| *n != "tauri-winrt-notification")
        .filter(|n| forbidden.iter().any(|f| n.as_str() == *f || n.starts_with(&format!("{f}-"))))
        .collect()
}

#[test]
fn the_command_line_crate_has_no_tauri_toolkit_or_web_engine() {
    let names = tree("rota");
    let bad = offending(
        &names,
        &["tauri", "wry", "tao", "gtk", "gdk", "webkit2gtk", "javascriptcore-rs", "soup3", "muda", "tray-icon", "libappindicator"],
    );
    assert!(bad.is_empty(), "rota depends on {bad:?}");
    // The lean tray's own pieces are there: the test looks at the real tree.
    for expected in ["ksni", "rota-io", "rota-core", "clap"] {
        assert!(names.contains(expected), "{expected} is missing from rota's tree");
    }
}

#[test]
fn the_io_crate_has_no_command_line_and_no_tray_or_window_library() {
    let names = tree("rota-io");
    let bad = offending(&names, &["clap", "tauri", "wry", "tao", "gtk", "webkit2gtk", "ksni", "muda", "tray-icon"]);
    assert!(bad.is_empty(), "rota-io depends on {bad:?}");
}

#[test]
fn the_tauri_crate_is_where_tauri_is() {
    // The check above is only worth something if it would see Tauri where it is.
    let names = tree("rota-app");
    assert!(names.contains("tauri") && names.contains("tray-icon"), "rota-app's tree: {names:?}");
}
