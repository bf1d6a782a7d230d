//! Tidy: house rules a reviewer would otherwise keep by eye, checked over every file git tracks
//! (in the manner of rust-analyzer's `xtask/src/tidy.rs`). Each failure names the file, the line
//! and the fix.
//!
//! - Only `io/src/clock.rs` reads the clock or `ROTA_NOW`, so `ROTA_NOW` pins everything and a bad
//!   one is an error, said once. Tests and benches may read the clock to build fixtures: files
//!   under a `tests/` or `benches/` folder, the test kit (`testkit/`, a dev-only crate that
//!   plays GitHub and sets `ROTA_NOW` for the programs it runs), and a file's `#[cfg(test)]`
//!   module (from its
//!   `#[cfg(test)] mod` line to the end of the file, where unit tests sit).
//! - No test borrows another crate's files through `#[path]`: shared test code is a crate.
//! - The UI builds its DOM from text (STYLE.md): no `innerHTML`, `outerHTML` or
//!   `insertAdjacentHTML` in `ui/`.
//! - A page puts its focus with a script, never with an `autofocus` attribute: WebKit applies
//!   that at the first frame it paints, which in a window kept hidden and shown again comes after
//!   the window is shown, and takes the focus back from where a person has already moved it.
//! - The core is the same on every platform: no target-specific dependency table in
//!   `core/Cargo.toml`.
//! - A comment says why, not which ticket: no "issue" and a number in comments (a newcomer has
//!   no tracker to follow them to).
//! - No source file over 700 lines: a longer one holds more than one thing a newcomer reads at
//!   once; split it where its parts are (a submodule beside it).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root: the workspace folder above this crate.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crate sits in the workspace").to_owned()
}

/// Every tracked text file: its path from the root (with `/`) and its text.
fn tracked() -> Vec<(String, String)> {
    let root = root();
    let out = Command::new("git").args(["ls-files", "-z"]).current_dir(&root).output().expect("git runs (tidy reads the tracked files)");
    assert!(out.status.success(), "git ls-files failed in {}: {}", root.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        // Deleted but not yet committed, or not text (pictures): nothing to read.
        .filter_map(|p| std::fs::read_to_string(root.join(p)).ok().map(|text| (p.to_owned(), text)))
        .collect()
}

/// The rule's offences, one a line; fails with all of them.
fn check(rule: &str, offences: Vec<String>) {
    assert!(offences.is_empty(), "{rule}:\n{}\n", offences.join("\n"));
}

fn extension(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(_, e)| e)
}

/// Whether the file is test code as a whole: under a `tests/` or `benches/` folder, or the test
/// kit's.
fn is_test_file(path: &str) -> bool {
    path.starts_with("testkit/") || path.split('/').rev().skip(1).any(|dir| dir == "tests" || dir == "benches")
}

/// The lines of a Rust file that are not test code: up to its `#[cfg(test)] mod …` (numbered
/// from 1).
fn production_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let tests_from = (0..lines.len())
        .find(|&i| {
            lines[i].trim() == "#[cfg(test)]"
                && lines[i + 1..].iter().map(|l| l.trim()).find(|l| !l.starts_with("#[")).is_some_and(|l| l.contains("mod "))
        })
        .unwrap_or(lines.len());
    lines[..tests_from].iter().enumerate().map(|(i, l)| (i + 1, *l)).collect()
}

/// A Rust line without its `//` comment (a `//` inside a string is kept).
fn rust_code(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '/' if !in_string && line[i..].starts_with("//") => return &line[..i],
            _ => {}
        }
    }
    line
}

/// What reads the clock, or the variable that pins it.
const CLOCK_READS: [&str; 4] = ["Utc::now", "Local::now", "SystemTime::now", "ROTA_NOW"];

#[test]
fn only_clock_rs_reads_the_clock() {
    let mut offences = vec![];
    for (path, text) in tracked() {
        if extension(&path) != "rs" || path == "io/src/clock.rs" || is_test_file(&path) {
            continue;
        }
        for (n, line) in production_lines(&text) {
            let code = rust_code(line);
            for read in CLOCK_READS.iter().filter(|r| code.contains(*r)) {
                offences.push(format!(
                    "{path}:{n}: `{read}` outside io/src/clock.rs; take the person's time from rota_io::clock (clock::now(), or the \
                     process's Clock, which ROTA_NOW pins) or the system's own from clock::system_now()/system_time()"
                ));
            }
        }
    }
    check("the clock is read outside io/src/clock.rs", offences);
}

#[test]
fn no_test_borrows_another_crates_files_by_path() {
    // Spelt in two pieces, so this file does not name itself.
    let borrow = ["#[path = \"", "../.."].concat();
    let mut offences = vec![];
    for (path, text) in tracked().iter().filter(|(p, _)| extension(p) == "rs") {
        for (i, line) in text.lines().enumerate().filter(|(_, l)| l.contains(&borrow)) {
            offences.push(format!(
                "{path}:{}: `{}` borrows another crate's files; put shared test code in the test kit crate and depend on it",
                i + 1,
                line.trim()
            ));
        }
    }
    check("a #[path] reaches into another crate", offences);
}

#[test]
fn the_ui_builds_its_dom_from_text() {
    let mut offences = vec![];
    for (path, text) in tracked().iter().filter(|(p, _)| p.starts_with("ui/")) {
        for (i, line) in text.lines().enumerate() {
            for html in ["innerHTML", "outerHTML", "insertAdjacentHTML"].iter().filter(|h| line.contains(*h)) {
                offences.push(format!(
                    "{path}:{}: `{html}`; build the DOM with createElement and textContent (ui/js/dom.js), never from markup",
                    i + 1
                ));
            }
        }
    }
    check("the UI parses markup", offences);
}

#[test]
fn the_ui_focuses_from_its_scripts() {
    let mut offences = vec![];
    for (path, text) in tracked().iter().filter(|(p, _)| p.starts_with("ui/") && p.ends_with(".html")) {
        for (i, _) in text.lines().enumerate().filter(|(_, l)| l.contains("autofocus")) {
            offences.push(format!(
                "{path}:{}: `autofocus`; focus the field from the page's script once it is ready (`.focus()`): WebKit applies \
                 autofocus at the first frame painted, late in a window shown again",
                i + 1
            ));
        }
    }
    check("a page focuses with `autofocus`", offences);
}

#[test]
fn the_core_has_no_target_specific_dependencies() {
    let text = std::fs::read_to_string(root().join("core/Cargo.toml")).expect("core/Cargo.toml");
    let offences = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().trim_start_matches('[').trim_start().starts_with("target."))
        .map(|(i, l)| {
            format!(
                "core/Cargo.toml:{}: `{}`; the core is the same on every platform: platform code and its dependencies go in rota-io, \
                 behind #[cfg]",
                i + 1,
                l.trim()
            )
        })
        .collect();
    check("the core has a target-specific dependency table", offences);
}

/// The comments of a file in a language tidy reads, with their line numbers (a comment over
/// several lines comes line by line).
fn comments(path: &str, text: &str) -> Vec<(usize, String)> {
    let (line, block): (&[&str], Option<(&str, &str)>) = match extension(path) {
        "rs" | "js" => (&["//"], Some(("/*", "*/"))),
        "css" => (&[], Some(("/*", "*/"))),
        "html" => (&[], Some(("<!--", "-->"))),
        "py" | "sh" => (&["#"], None),
        _ => return vec![],
    };
    let quotes: &[char] = if extension(path) == "rs" { &['"'] } else { &['"', '\'', '`'] };
    let mut found = vec![];
    let mut open_block = false;
    for (n, l) in text.lines().enumerate() {
        let mut rest = l;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut i = 0;
        while i < rest.len() {
            let here = &rest[i..];
            if open_block {
                let (_, close) = block.expect("a block is open only where there are blocks");
                match here.find(close) {
                    Some(end) => {
                        found.push((n + 1, here[..end].to_owned()));
                        rest = &here[end + close.len()..];
                        i = 0;
                        open_block = false;
                        continue;
                    }
                    None => {
                        found.push((n + 1, here.to_owned()));
                        break;
                    }
                }
            }
            let c = here.chars().next().expect("not at the end");
            match quote {
                Some(_) if escaped => escaped = false,
                Some(_) if c == '\\' => escaped = true,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if quotes.contains(&c) => quote = Some(c),
                // A shell's `#` starts a comment only as a word of its own (`${#x}` is none).
                None if line.iter().any(|s| here.starts_with(s))
                    && (extension(path) != "sh" || i == 0 || rest[..i].ends_with(char::is_whitespace)) =>
                {
                    found.push((n + 1, here.to_owned()));
                    break;
                }
                None if block.is_some_and(|(open, _)| here.starts_with(open)) => {
                    open_block = true;
                    i += block.map_or(0, |(open, _)| open.len());
                    continue;
                }
                None => {}
            }
            i += c.len_utf8();
        }
    }
    found
}

/// The word "issue" (or "Issue", "issues") then a number, `#` or not: a ticket where a reason
/// should be. Returns the words as written.
fn names_a_ticket(comment: &str) -> Option<String> {
    let lower = comment.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("issue") {
        let start = from + at;
        from = start + "issue".len();
        if lower[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let after = lower[from..].strip_prefix('s').unwrap_or(&lower[from..]);
        let number = after.strip_prefix(' ').map(|a| a.trim_start_matches('#'));
        if number.is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit())) {
            let end = lower.len() - number.map_or(0, |n| n.trim_start_matches(|c: char| c.is_ascii_digit()).len());
            return Some(comment[start..end].to_owned());
        }
    }
    None
}

#[test]
fn comments_say_why_not_which_ticket() {
    let mut offences = vec![];
    for (path, text) in tracked() {
        for (n, comment) in comments(&path, &text) {
            if let Some(named) = names_a_ticket(&comment) {
                offences
                    .push(format!("{path}:{n}: a comment names \"{named}\"; say the reason it stands for (what broke, what must hold)"));
            }
        }
    }
    check("a comment names a ticket", offences);
}

#[test]
fn the_rules_read_what_they_should() {
    // What the checks above rely on, on made-up text: they would see an offence where it is.
    assert!(is_test_file("io/tests/common/mod.rs") && is_test_file("core/benches/b.rs") && !is_test_file("io/src/tests.rs"));
    assert!(is_test_file("testkit/src/home.rs"));
    let rust = "fn a() { x(); } // Utc::now\nfn b() {}\n#[cfg(test)]\n#[allow(dead_code)]\nmod tests {\n    fn c() {}\n}\n";
    assert_eq!(production_lines(rust).len(), 2);
    assert_eq!(rust_code("let u = \"http://x\"; // ROTA_NOW"), "let u = \"http://x\"; ");
    let js = "const a = \"// no issue 1\"; // issue 2\n/* Issue 3\n and issue 4 */ x();\n";
    let said: Vec<_> = comments("ui/js/a.js", js).iter().filter_map(|(n, c)| names_a_ticket(c).map(|t| (*n, t))).collect();
    assert_eq!(said, [(1, "issue 2".to_owned()), (2, "Issue 3".to_owned()), (3, "issue 4".to_owned())]);
    assert_eq!(comments("tests/run.sh", "echo ${#x} # issues 12\n").len(), 1);
    assert_eq!(names_a_ticket("see issues #12, and tissue 3, and issue_10_test"), Some("issues #12".to_owned()));
    assert_eq!(names_a_ticket("the issue is 3 lines"), None);
    assert!(comments("ui/a.html", "<p>issue 5</p><!-- issue 6 -->").iter().all(|(_, c)| c.trim() == "issue 6"));
}

/// The most lines a source file may have.
const LINES_AT_MOST: usize = 700;

#[test]
fn no_source_file_is_over_700_lines() {
    let source = ["rs", "py", "js", "sh", "html", "css"];
    let mut offences = vec![];
    for (path, text) in tracked().iter().filter(|(p, _)| source.contains(&extension(p))) {
        let lines = text.lines().count();
        if lines > LINES_AT_MOST {
            offences.push(format!(
                "{path}: {lines} lines, over {LINES_AT_MOST}; split it where its parts are (a submodule beside it, a file a part)"
            ));
        }
    }
    check("a source file is over 700 lines", offences);
}
