//! Every folder Rota creates is 0700 and every file 0600 from the first command on,
//! whatever the umask: the data folder and its database (with SQLite's `-wal`/`-shm`), the outbox
//! lock and change signal, the source cache, and a calendar export. Run as the real binary in a
//! fresh home under umask 022, the umask that made them 0755/0644 before.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use support::text;

use rota_testkit::http::{Reply, Request, Response, Server};

const HANDBOOK: &str = include_str!("../../../core/data/handbook-escalation-rotation.md");

/// Every path under `dir`, folders and files, `dir` itself left out.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push(path.clone());
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            walk(&path, out);
        }
    }
}

/// `rota ARGS` in `home` under umask 022 (set by a shell that then becomes `rota`).
fn under_umask_022(home: &support::Home, args: &[&str]) -> std::process::Output {
    let rota = home.command("2022-09-15T12:00:00Z", args);
    let mut c = Command::new("sh");
    c.arg("-c").arg("umask 022 && exec \"$0\" \"$@\"").arg(rota.get_program()).args(rota.get_args());
    c.current_dir(rota.get_current_dir().unwrap());
    for (k, v) in rota.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    support::output(c)
}

#[test]
fn the_first_commands_create_only_private_folders_and_files() {
    let server = Server::start_on_thread(Arc::new(|req: &Request, _: &str| {
        Reply::Send(match req.path() {
            "/rota.md" => Response { status: 200, headers: vec![("etag".into(), "\"v1\"".into())], body: HANDBOOK.into() },
            _ => Response { status: 404, headers: vec![], body: String::new() },
        })
    }));
    let home = support::Home::new();
    // What the test itself made, before any command: the only paths the walk leaves out.
    let before: Vec<PathBuf> = {
        let mut v = Vec::new();
        walk(home.path(), &mut v);
        v
    };
    let url = format!("{}/rota.md?token=s3cr3t", server.base);
    let calendar = home.path().join("rota.ics");
    let commands: Vec<Vec<&str>> = vec![
        // The first command only reads a source: the data folder and the cache come first here.
        vec!["now", "--schedule", &url],
        vec!["escalations"],
        vec!["escalate", "--schedule", &url, "--title", "Search is down", "--to", "keegancsmith"],
        vec!["export", "ical", "--schedule", &url, "--output", calendar.to_str().unwrap()],
    ];
    for args in &commands {
        let out = under_umask_022(&home, args);
        assert!(out.status.success(), "rota {args:?}: {}", text(&out));
    }
    let mut created = Vec::new();
    walk(home.path(), &mut created);
    created.retain(|p| !before.contains(p));
    let names: Vec<String> = created.iter().map(|p| p.strip_prefix(home.path()).unwrap().display().to_string()).collect();
    for expected in ["data/rota", "data/rota/cache", "data/rota/escalations.sqlite3", "rota.ics"] {
        assert!(names.iter().any(|n| n == expected), "{expected} among {names:?}");
    }
    let wrong: Vec<String> = created
        .iter()
        .filter_map(|p| {
            let meta = std::fs::symlink_metadata(p).unwrap();
            let mode = meta.permissions().mode() & 0o777;
            let want = if meta.is_dir() { 0o700 } else { 0o600 };
            (mode != want).then(|| format!("{} is {mode:o}, not {want:o}", p.strip_prefix(home.path()).unwrap().display()))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}\n(created: {names:#?})");
}
