//! Nothing lost, with the real `rota` binary on the local backend:
//! - the outbox is visible and steerable: `rota outbox [--json]`, `rota outbox retry KEY|--all`,
//!   `rota outbox discard KEY`;
//! - a filing that cannot get the outbox's senders' lock (another Rota holds it) waits a bounded
//!   time and says "saved, will be sent" instead of hanging;
//! - the data folder is private (0700, its files 0600), fixed on an existing install;
//! - a database made by a newer Rota is refused with a clear error and left untouched.
//!
//! The same against a GitHub test server (a refusal keeps GitHub's own reason; 408 and 409 are
//! transient; what GitHub is known to refuse is refused before saving) needs the token from the
//! keyring: outbox_refused.rs, run by tests/keyring.sh.

use crate::support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};
use support::{json_of, text};

const AT: &str = "2024-03-05T12:00:00Z";

/// A home of its own for each test, with no session bus, pinned at [`AT`].
fn home() -> support::Home {
    support::Home::pinned(AT).with_config("me = \"ann\"\n")
}

/// Takes the outbox senders' lock in `home` as another Rota sending would, until the file is
/// dropped.
fn hold_sender_lock(home: &support::Home) -> std::fs::File {
    std::fs::create_dir_all(home.data()).unwrap();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(home.data().join("escalations.sqlite3-outbox.lock"))
        .unwrap();
    file.lock().unwrap();
    file
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_filing_that_cannot_get_the_lock_is_saved_listed_retried_and_discarded() {
    let home = home();
    json_of(&home.rota(&["escalate", "--title", "First", "--to", "diego", "--json"])); // creates the files

    // Another Rota is sending: the filing waits a bounded time, then says it is saved.
    let lock = hold_sender_lock(&home);
    let started = Instant::now();
    let out = home.rota(&["escalate", "--title", "Held up", "--to", "diego", "--json"]);
    assert!(started.elapsed() < Duration::from_secs(20), "it did not hang: {:?}", started.elapsed());
    let filed = json_of(&out);
    assert_eq!(filed["state"], "queued", "{filed}");
    assert!(text(&out).contains("saved, will be sent"), "{}", text(&out));
    let key = filed["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with("rota-"), "{key}");
    let out = home.rota(&["escalate", "--title", "To drop", "--to", "lena", "--json"]);
    let dropped = json_of(&out)["id"].as_str().unwrap().to_owned();

    // Listed, with the contract's fields.
    let list = json_of(&home.rota(&["outbox", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let e = &list[0];
    assert_eq!(e["key"], key.as_str());
    assert_eq!(e["title"], "Held up");
    assert_eq!(e["assignee"], "diego");
    assert_eq!(e["state"], "queued");
    assert_eq!(e["attempts"], 0);
    assert!(e.get("last_error").is_some(), "{e}");
    assert_eq!(e["queued_at"], AT);
    assert_eq!(list[1]["title"], "To drop");
    let out = home.rota(&["outbox"]);
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("KEY") && table.contains(&key) && table.contains("queued") && table.contains("Held up"), "{table}");

    // Discarded: gone from the outbox, never filed. (Discarding waits for the lock too.)
    let out = home.rota(&["outbox", "discard", &dropped]);
    assert_eq!(out.status.code(), Some(1), "not while another Rota sends: {}", text(&out));
    drop(lock);
    let out = home.rota(&["outbox", "discard", &dropped]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("To drop"), "{}", text(&out));
    let out = home.rota(&["outbox", "discard", &dropped]);
    assert_eq!(out.status.code(), Some(1), "no longer there: {}", text(&out));

    // Retried: sent, the outbox is empty, the escalation is filed once.
    let out = home.rota(&["outbox", "retry", &key]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("sent escalation 2 from the outbox: Held up"), "{}", text(&out));
    assert_eq!(json_of(&home.rota(&["outbox", "--json"])), Value::Array(vec![]));
    let out = home.rota(&["outbox"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "The outbox is empty: every escalation is filed.\n");
    let titles: Vec<String> = json_of(&home.rota(&["escalations", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, ["First", "Held up"], "each filed once; the longest waiting first");

    // Usage: retry needs a key or --all; an unknown key is an input error.
    assert_eq!(home.rota(&["outbox", "retry"]).status.code(), Some(2));
    assert_eq!(home.rota(&["outbox", "retry", "rota-nope"]).status.code(), Some(1));
    let out = home.rota(&["outbox", "retry", "--all"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_data_folder_and_its_files_are_private_and_an_old_install_is_fixed() {
    let home = home();
    json_of(&home.rota(&["escalate", "--title", "Customer data", "--to", "diego", "--json"]));
    let data = home.data();
    assert_eq!(mode(&data), 0o700, "the data folder");
    let mut files = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert!(files >= 2, "the database and its lock or signal files");

    // An install from before: world-readable folder and files, and a cache.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = data.join("escalations.sqlite3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::create_dir_all(data.join("cache")).unwrap();
    std::fs::write(data.join("cache/handbook.md"), "cached").unwrap();
    std::fs::set_permissions(data.join("cache/handbook.md"), std::fs::Permissions::from_mode(0o644)).unwrap();
    json_of(&home.rota(&["escalations", "--json"]));
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&data.join("cache")), 0o700);
    assert_eq!(mode(&data.join("cache/handbook.md")), 0o600);
}

#[test]
fn a_database_from_a_newer_rota_is_refused_and_left_untouched() {
    let home = home();
    std::fs::create_dir_all(home.data()).unwrap();
    let db = home.data().join("escalations.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('kept'); PRAGMA user_version = 7;").unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    for args in [&["escalations"][..], &["escalate", "--title", "x", "--to", "diego"], &["outbox"]] {
        let out = home.rota(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        let said = format!("was made by a newer Rota: schema 7; this one reads up to {}", rota_io::store::VERSION);
        assert!(text(&out).contains(&said), "{args:?}: {}", text(&out));
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is left untouched");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 7);
}
