//! A refused escalation stays in sight, with the real `rota` binary, a GitHub test
//! server and the token from the real keyring:
//! - saved while GitHub was unreachable, then refused by it (a 422): kept in the outbox in state
//!   `refused` with GitHub's own reason (`errors[].message`), listed by `rota outbox`, said by
//!   every command that sends, and sent by `rota outbox retry` once GitHub takes it;
//! - filed directly and refused: the command says GitHub's reason, and the escalation stays;
//! - 408 and 409 are transient, like a 5xx: queued, not refused;
//! - what GitHub is known to refuse (a title over 256 characters) is refused before it is saved
//!   or sent, with GitHub's words.
//!
//! Run by `tests/keyring.sh` (a private D-Bus session with an unlocked gnome-keyring), which
//! builds it with the `keyring-tests` feature; without a keyring it fails.

use crate::support;

use rota_testkit::github::{handler, Repo};
use rota_testkit::http::{closed_port, Reply, Server};
use rota_testkit::team;
use serde_json::json;
use std::sync::Arc;
use support::{json_of, stderr, stdout, text};

/// A home of its own pinned at 2024-03-05 12:00 UTC, for a GitHub test server at `addr`; `rota` runs
/// in the test's session (its keyring).
fn home(addr: &str) -> support::Home {
    let home = support::Home::pinned("2024-03-05T12:00:00Z");
    // ghost is someone the team knows (so `--to ghost` is accepted) whom GitHub refuses.
    let people = team::people(&[["ann", "", "UTC", "", ""], ["ghost", "", "UTC", "", ""]]);
    let config = format!("me = \"ann\"\n[roster]\nsource = \"people.toml\"\n{}", team::github(&format!("http://{addr}")));
    home.team(&config, None, Some(&people));
    home
}

const REASON: &str = "ghost is not a collaborator of acme/escalations";

#[test]
fn a_refused_escalation_keeps_githubs_reason_stays_listed_and_is_resent() {
    let _turn = support::keyring_turn();
    let addr = closed_port();
    let home = home(&addr);
    let out = home.in_session(&["secret", "set", "github-token"], "ghp_refusaltest00000000000000000000000\n");
    assert!(out.status.success(), "{}", text(&out));

    // Saved while GitHub is unreachable.
    let filed = json_of(&home.in_session(&["escalate", "--title", "Filed offline", "--to", "ghost", "--json"], ""));
    assert_eq!(filed["state"], "queued");
    let key = filed["id"].as_str().unwrap().to_owned();

    // GitHub back, and refusing it: kept, refused, with GitHub's own reason.
    let repo = Repo::shared();
    repo.lock().unwrap().refuse_assignee = Some(("ghost".into(), REASON.into()));
    let server = Server::start_on_thread_at(&addr, handler(repo.clone()));
    let out = home.in_session(&["escalations", "--json"], "");
    assert!(out.status.success(), "{}", text(&out));
    let err = stderr(&out);
    assert!(err.contains(REASON), "{err}");
    assert!(err.contains("⚠ 1 escalation refused by GitHub — fix and resend"), "{err}");
    let list = json_of(&home.in_session(&["outbox", "--json"], ""));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let e = &list[0];
    assert_eq!(e["key"], key.as_str());
    assert_eq!(e["title"], "Filed offline");
    assert_eq!(e["assignee"], "ghost");
    assert_eq!(e["state"], "refused");
    assert_eq!(e["attempts"], 2, "the offline try and the refused one");
    assert_eq!(e["last_error"], REASON);
    let out = home.in_session(&["outbox"], "");
    assert!(stdout(&out).contains(&format!("refused: {REASON}")), "{}", text(&out));

    // Filed directly and refused: GitHub's reason, exit 1, and it stays in the outbox.
    let out = home.in_session(&["escalate", "--title", "Filed directly", "--to", "ghost"], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(REASON), "{}", text(&out));
    let states: Vec<(String, String)> = json_of(&home.in_session(&["outbox", "--json"], ""))
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["title"].as_str().unwrap().to_owned(), e["state"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(states, [("Filed offline".into(), "refused".into()), ("Filed directly".into(), "refused".into())]);

    // 408 and 409 pass by themselves: queued, not refused.
    for status in [408, 409] {
        repo.lock().unwrap().create_fails_with = Some(status);
        let out = home.in_session(&["escalate", "--title", &format!("Got {status}"), "--to", "ann", "--json"], "");
        assert_eq!(json_of(&out)["state"], "queued", "{status}: {}", text(&out));
    }
    repo.lock().unwrap().create_fails_with = None;

    // Known to be refused: said before saving, nothing sent, nothing kept.
    let posts_before = server.requests().iter().filter(|(r, _)| r.method == "POST").count();
    let long = "x".repeat(257);
    let out = home.in_session(&["escalate", "--title", &long, "--to", "ann"], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("title is too long (maximum is 256 characters)"), "{}", text(&out));
    assert_eq!(server.requests().iter().filter(|(r, _)| r.method == "POST").count(), posts_before);
    assert!(!String::from_utf8_lossy(&home.in_session(&["outbox", "--json"], "").stdout).contains(&long));

    // GitHub takes ghost now: a retry of everything files each once; the outbox is empty.
    repo.lock().unwrap().refuse_assignee = None;
    let out = home.in_session(&["outbox", "retry", "--all"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(json_of(&home.in_session(&["outbox", "--json"], "")), json!([]));
    let mut titles: Vec<String> = repo.lock().unwrap().issues.iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect();
    titles.sort();
    assert_eq!(titles, ["Filed directly", "Filed offline", "Got 408", "Got 409"]);

    home.in_session(&["secret", "delete", "github-token"], "");
}

/// A 1 GiB error body took 2.1 GB of memory, printed 1 GiB to stderr and was stored in
/// the outbox (64 MiB of it, measured). Now `rota escalate` reads 64 KiB of it and says GitHub's
/// refusal in one short line, kept as short in the outbox.
#[test]
fn a_gigabyte_of_refusal_is_said_short_and_kept_short() {
    let _turn = support::keyring_turn();
    use rota_testkit::http::Stream;
    let repo = Repo::shared();
    repo.lock().unwrap().create_reply = Some(Arc::new(|| Reply::Stream(Stream::json_error(422, 1 << 30))));
    let server = Server::start_on_thread(handler(repo));
    let home = home(server.base.trim_start_matches("http://"));
    let out = home.in_session(&["secret", "set", "github-token"], "ghp_refusaltest00000000000000000000001\n");
    assert!(out.status.success(), "{}", text(&out));
    let started = std::time::Instant::now();
    let out = home.in_session(&["escalate", "--title", "Search is down", "--to", "ann"], "");
    let took = started.elapsed();
    // The largest child this test process has waited for, in KiB (Linux).
    let peak_kib = {
        // SAFETY: getrusage writes only into the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
        usage.ru_maxrss
    };
    eprintln!("1 GiB refusal: {took:?}, stderr {} bytes, {} bytes sent, largest child {peak_kib} KiB", out.stderr.len(), server.streamed());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stderr(&out).contains("longer than 64 KiB"), "{}", stderr(&out));
    assert!(out.stderr.len() < 2000, "{} bytes on stderr", out.stderr.len());
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    assert!(peak_kib < 512 << 10, "{peak_kib} KiB");
    let kept = json_of(&home.in_session(&["outbox", "--json"], ""));
    let last_error = kept[0]["last_error"].as_str().unwrap();
    assert!(last_error.chars().count() <= 300, "{last_error}");
    home.in_session(&["secret", "delete", "github-token"], "");
}
