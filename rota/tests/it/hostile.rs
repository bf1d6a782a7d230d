//! Hostile and broken inputs, through the real `rota` binary and the real clients: a
//! located error that says what to write, never a panic, a hang or a runaway download.

use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{stderr, stdout, text};

/// A home of its own for each test: no user config, caches in a temp folder.
struct Home(support::Home);

impl Home {
    fn new() -> Self {
        Home(support::Home::new())
    }

    /// Writes `text` to `name` under the home; the file's path, for a command line.
    fn write(&self, name: &str, text: &str) -> String {
        self.0.write(name, text).display().to_string()
    }

    fn rota(&self, args: &[&str]) -> Output {
        let mut c = self.0.command("2022-09-15T12:00:00Z", args);
        // One finding a line: the words a test looks for are never wrapped apart.
        c.env("COLUMNS", "500");
        support::output(c)
    }
}

/// Exit 1 (an input error, not 101 for a panic or 134 for an abort), with every expected piece
/// (`rota check` lists findings on stdout, other commands on stderr).
fn fails_with(out: &Output, words: &[&str]) {
    let err = text(out);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for w in words {
        assert!(err.contains(w), "{err:?} should say {w:?}");
    }
}

#[test]
fn the_issues_schedules_are_located_errors_for_now_and_check() {
    let home = Home::new();
    let cases: &[(&str, &str, &str)] = &[
        // `NaiveDate + TimeDelta overflowed`, exit 101, before.
        ("far.toml", "[[rotation]]\nstart = 2022-09-01\nend = \"+262142-12-31\"\nengineers = [\"ann\"]\n", "far.toml:3:"),
        // A 2.4 TB allocation, exit 134, before.
        ("seats.toml", "[[rotation]]\nstart = 2022-09-01\nend = 2022-10-01\nopen_seats = 100000000000\n", "seats.toml:1:"),
    ];
    for (name, text, located) in cases {
        let path = home.write(name, text);
        for command in ["now", "check"] {
            let out = home.rota(&[command, "--schedule", &path]);
            fails_with(&out, &[*located]);
        }
    }
    let page = home.write("page.md", "| Rotation | Engineers |\n| --- | --- |\n| 0999-01-01 to 2022-09-30 | @ann |\n");
    fails_with(&home.rota(&["check", "--schedule", &page]), &["page.md:3: error", "from year 1000 to 9999"]);
    // The instant is held to the same years.
    let out = home.rota(&["now", "--schedule", "builtin:handbook", "--at", "0999-01-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("from year 1000 to 9999"), "{}", stderr(&out));
}

#[test]
fn check_refuses_the_issues_configs_with_file_and_line() {
    let cases: &[(&str, &[&str])] = &[
        ("[escalations]\ngithub = { api = \"http://api.github.example\" }\n", &["config.toml:2: error", "clear text", "use https"]),
        ("[escalations]\ngithub = { api = \"mailto:x\" }\n", &["config.toml:2: error", "not an https URL"]),
        (
            "[escalations]\n[escalations.github]\napi = \"http://127.0.0.1:1@evil.example/\"\n",
            &["config.toml:3: error", "user name or password"],
        ),
        ("[escalations]\npoll_seconds = 9223372036854775807\n", &["config.toml:2: error", "15 to 86400"]),
        ("[schedule]\nteam_size = 100000000000\n", &["config.toml:2: error", "1 to 100 seats"]),
    ];
    for (config, words) in cases {
        let home = Home::new();
        let path = home.write("config/rota/config.toml", config);
        let out = home.rota(&["check", "--schedule", "builtin:handbook"]);
        fails_with(&out, words);
        assert!(stderr(&out).contains(&path) || stdout(&out).contains(&path), "names {path}");
    }
}

#[test]
fn a_repeated_roster_entry_is_still_checked() {
    let home = Home::new();
    let roster = home.write("people.toml", "[[person]]\nhandle = \"ann\"\n\n[[person]]\nhandle = \"ann\"\nhours = \"9-5\"\n");
    let out = home.rota(&["check", "--schedule", "builtin:handbook", "--roster", &roster]);
    fails_with(&out, &[]);
    let all = text(&out);
    assert!(all.contains("people.toml:5") && all.contains("listed twice"), "{all}");
    assert!(all.contains("people.toml:6") && all.contains("9-5"), "the repeat's hours are checked too: {all}");
}

// ---------------------------------------------------------------------------------------------
// Servers that misbehave
// ---------------------------------------------------------------------------------------------

/// Reads a request's head (up to the blank line).
fn read_head(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            return head;
        }
        head.push_str(&line);
    }
}

/// A server that answers every request with `head`, then, with `endless`, sends body bytes until
/// the client hangs up. Returns its base URL and the bytes it managed to send.
fn misbehaving(head: &'static str, endless: bool) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let counter = counter.clone();
            std::thread::spawn(move || {
                let _ = read_head(&stream);
                if stream.write_all(head.as_bytes()).is_err() || !endless {
                    return;
                }
                let chunk = vec![b'|'; 64 * 1024];
                while stream.write_all(&chunk).is_ok() {
                    counter.fetch_add(chunk.len(), Ordering::Relaxed);
                }
            });
        }
    });
    (base, sent)
}

const ENDLESS: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/markdown\r\nconnection: close\r\n\r\n";

#[test]
fn a_schedule_url_that_keeps_sending_stops_at_2_mib_and_names_the_url() {
    let (base, sent) = misbehaving(ENDLESS, true);
    let home = Home::new();
    let url = format!("{base}/rota.md");
    let out = home.rota(&["now", "--schedule", &url]);
    fails_with(&out, &[&url, "larger than 2 MiB"]);
    // What was sent before the client hung up: the cap, and what the sockets' buffers held.
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 64 << 20, "{sent} bytes sent before the client stopped reading");
}

#[test]
fn a_schedule_url_that_says_it_is_too_large_is_not_read() {
    let (base, _) = misbehaving("HTTP/1.1 200 OK\r\ncontent-length: 3000000000\r\n\r\n", false);
    let home = Home::new();
    let url = format!("{base}/people.toml");
    let out = home.rota(&["check", "--schedule", "builtin:handbook", "--roster", &url]);
    fails_with(&out, &[&url, "larger than 2 MiB"]);
}

#[test]
fn a_redirect_to_plain_http_is_refused() {
    let (target, _) = misbehaving("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi", false);
    let head: &'static str =
        Box::leak(format!("HTTP/1.1 302 Found\r\nlocation: {target}/rota.md\r\ncontent-length: 0\r\n\r\n").into_boxed_str());
    let (base, _) = misbehaving(head, false);
    let home = Home::new();
    let url = format!("{base}/rota.md");
    let out = home.rota(&["now", "--schedule", &url]);
    fails_with(&out, &[&url, "not https"]);
}

// ---------------------------------------------------------------------------------------------
// Local sources: regular files only, at most 2 MiB
// ---------------------------------------------------------------------------------------------

impl Home {
    /// `rota ARGS` with `env` set, given `limit` to end: its output, or `None` when it had to be
    /// killed. Its address space is held to 4 GiB, so a regression that reads without end fails
    /// the test rather than the machine.
    fn rota_within(&self, args: &[&str], env: &[(&str, &str)], limit: std::time::Duration) -> Option<Output> {
        use std::os::unix::process::CommandExt;
        let mut c = self.0.command("2022-09-15T12:00:00Z", args);
        c.env("COLUMNS", "500");
        for (k, v) in env {
            c.env(k, v);
        }
        // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
        unsafe {
            c.pre_exec(|| {
                let four_gib = libc::rlimit { rlim_cur: 4 << 30, rlim_max: 4 << 30 };
                libc::setrlimit(libc::RLIMIT_AS, &four_gib);
                Ok(())
            });
        }
        let child =
            c.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        let pid = child.id() as i32;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output()));
        match rx.recv_timeout(limit) {
            Ok(out) => Some(out.unwrap()),
            Err(_) => {
                // SAFETY: the child this test started, by its id.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                None
            }
        }
    }
}

/// Before: a FIFO hung `rota now` for ever; `/dev/zero` took 2 GiB, then the memory limit; a
/// folder said "Is a directory (os error 21)". Now each is a clear error at once.
#[test]
fn a_fifo_a_device_or_a_folder_is_a_clear_error_not_a_hang() {
    let home = Home::new();
    let fifo = home.0.path().join("rota.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo touches nothing else.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let folder = home.0.path().join("schedules");
    std::fs::create_dir(&folder).unwrap();
    let cases = [
        (fifo.display().to_string(), "is a FIFO (named pipe), not a regular file"),
        ("/dev/zero".into(), "is a device, not a regular file"),
        (folder.display().to_string(), "is a folder, not a regular file"),
    ];
    for (path, says) in &cases {
        for args in [vec!["now", "--schedule", path.as_str()], vec!["check", "--schedule", "builtin:handbook", "--roster", path.as_str()]] {
            let started = std::time::Instant::now();
            let out = home.rota_within(&args, &[], std::time::Duration::from_secs(20)).unwrap_or_else(|| panic!("rota {args:?} hung"));
            fails_with(&out, &[path.as_str(), says]);
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "{args:?}: {:?}", started.elapsed());
        }
    }
}

#[test]
fn a_source_file_over_2_mib_is_not_read() {
    let home = Home::new();
    let big = home.write("people.toml", &"# a comment that goes on\n".repeat(120_000)); // 3 MB
    let out = home
        .rota_within(&["check", "--schedule", "builtin:handbook", "--roster", &big], &[], std::time::Duration::from_secs(20))
        .expect("ends");
    fails_with(&out, &[&big, "larger than 2 MiB"]);
}

// ---------------------------------------------------------------------------------------------
// Secrets in source URLs, and proxies
// ---------------------------------------------------------------------------------------------

use rota_testkit::http::{Reply, Request, Response, Server};

/// A server that answers `text` at `/rota.md`, `/broken.md` with a schedule that has an error, and
/// 404 elsewhere.
fn schedule_server(text: &'static str) -> Server {
    Server::start_on_thread(Arc::new(move |req: &Request, _: &str| {
        let page = |body: &str| Response { status: 200, headers: vec![("content-type".into(), "text/markdown".into())], body: body.into() };
        Reply::Send(match req.path() {
            "/rota.md" => page(text),
            "/broken.md" => page("| Rotation | Engineers |\n| --- | --- |\n| 0999-01-01 to 2022-09-30 | @ann |\n"),
            _ => Response { status: 404, headers: vec![], body: String::new() },
        })
    }))
}

const HANDBOOK: &str = include_str!("../../../core/data/handbook-escalation-rotation.md");

/// Before: a token in a source URL's query string was echoed in findings and errors, and kept in
/// the cache for anyone on the machine to read. Now the query's values are `…` wherever the URL
/// is named, and the cache holds neither the token nor a world-readable file.
#[test]
fn a_token_in_a_source_url_is_never_repeated_and_the_cache_is_private() {
    let server = schedule_server(HANDBOOK);
    let home = Home::new();
    let secret = "s3cr3t-t0ken";
    for (path, words) in
        [("/gone.md", vec!["gone.md?token=…", "404"]), ("/broken.md", vec!["broken.md?token=…:3", "from year 1000 to 9999"])]
    {
        let url = format!("{}{path}?token={secret}", server.base);
        let out = home.rota(&["check", "--schedule", &url]);
        let all = text(&out);
        assert!(!all.contains(secret), "{all}");
        for w in words {
            assert!(all.contains(w), "{all:?} should say {w:?}");
        }
    }
    // A URL the config refuses is named the same way.
    let out = home.rota(&["now", "--schedule", &format!("http://wiki.example.com/rota.md?token={secret}")]);
    assert!(!out.status.success() && text(&out).contains("rota.md?token=…\" is plain http"), "{}", text(&out));
    assert!(!text(&out).contains(secret), "{}", text(&out));
    let url = format!("{}/rota.md?token={secret}", server.base);
    let out = home.rota(&["now", "--schedule", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(secret));
    let cache = home.0.path().join("data/rota/cache");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777, 0o700);
    // Another query value is another source, with a copy of its own.
    let out = home.rota(&["now", "--schedule", &format!("{}/rota.md?token=other", server.base)]);
    assert!(out.status.success(), "{}", text(&out));
    let files: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 3, "broken.md and rota.md twice: {files:?}");
    for f in files {
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600, "{}", f.display());
        assert!(!std::fs::read_to_string(&f).unwrap().contains(secret), "{} holds the token", f.display());
    }
}

/// Before: with `HTTP_PROXY` set, a loopback http source went to the proxy (as would the GitHub
/// token to a loopback API: `io/tests/proxy.rs`). Now a loopback address is reached directly.
#[test]
fn a_loopback_source_is_fetched_directly_whatever_the_proxy_variables_say() {
    let server = schedule_server(HANDBOOK);
    let proxy = Server::start_on_thread(Arc::new(|_: &Request, _: &str| {
        Reply::Send(Response { status: 502, headers: vec![], body: String::new() })
    }));
    let home = Home::new();
    let url = format!("{}/rota.md", server.base);
    let env = [
        ("HTTP_PROXY", proxy.base.as_str()),
        ("http_proxy", &proxy.base),
        ("ALL_PROXY", &proxy.base),
        ("all_proxy", &proxy.base),
        ("NO_PROXY", ""),
        ("no_proxy", ""),
    ];
    let out = home.rota_within(&["now", "--schedule", &url], &env, std::time::Duration::from_secs(30)).expect("ends");
    assert!(out.status.success(), "{}", text(&out));
    assert!(proxy.requests().is_empty(), "the proxy got {:?}", proxy.requests().iter().map(|(r, _)| &r.target).collect::<Vec<_>>());
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// GitHub
// ---------------------------------------------------------------------------------------------

use rota_io::escalations::github::{GithubBackend, GithubConfig};
use rota_io::escalations::{Backend, BackendError};
use rota_io::secrets::SecretValue;

fn github(api: &str) -> Result<GithubBackend, BackendError> {
    let config = GithubConfig::new(api, "acme/escalations", "ann").unwrap();
    GithubBackend::new(config, &SecretValue::new("ghp_x"))
}

#[test]
fn the_github_client_refuses_an_api_url_the_config_would_refuse() {
    for api in ["mailto:x", "http://api.github.example", "http://127.0.0.1:1@evil.example/", "https://"] {
        match github(api) {
            Err(BackendError::Invalid(msg)) => {
                assert!(msg.contains("escalations.github.api"), "{api}: {msg}")
            }
            other => panic!("{api}: {other:?}"),
        }
    }
    assert!(github("http://127.0.0.1:9").is_ok());
}

#[test]
fn a_github_page_that_keeps_sending_stops_at_the_cap_and_names_the_url() {
    let (base, sent) = misbehaving("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n", true);
    let backend = github(&base).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    match rt.block_on(backend.list_open(None)) {
        Err(BackendError::Failed(msg)) => {
            assert!(msg.contains(&base) && msg.contains("more than 8 MiB"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    assert!(sent.load(Ordering::Relaxed) < 128 << 20);
}

#[test]
fn a_github_redirect_to_plain_http_is_refused() {
    let (target, _) = misbehaving("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n[]", false);
    let head: &'static str = Box::leak(format!("HTTP/1.1 301 Moved\r\nlocation: {target}/x\r\ncontent-length: 0\r\n\r\n").into_boxed_str());
    let (base, _) = misbehaving(head, false);
    let backend = github(&base).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let got = rt.block_on(backend.list_open(None));
    assert!(got.is_err(), "followed a redirect to http: {got:?}");
}

// ---------------------------------------------------------------------------------------------
// The live state: reading happens outside the lock
// ---------------------------------------------------------------------------------------------

#[test]
fn a_slow_source_never_holds_the_lock_the_menu_waits_on() {
    use rota_io::live::{self, Live};
    use rota_io::sources::Reader;
    // The schedule's server answers the first read, then never answers again.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rota.md", listener.local_addr().unwrap());
    let (stalled_tx, stalled_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let page = include_str!("../../../core/data/handbook-escalation-rotation.md");
        let mut held = Vec::new();
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let _ = read_head(&stream);
            if i == 0 {
                let _ = write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}", page.len());
            } else {
                let _ = stalled_tx.send(());
                held.push(stream); // open, unanswered
            }
        }
    });
    let home = Home::new();
    let config = home.write("config.toml", &format!("[schedule]\nsource = \"{url}\"\n"));
    let global = rota_io::protocol::Overrides { config: Some(config.into()), ..Default::default() };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async move {
        let reader = Arc::new(Reader::new(None));
        let state = Arc::new(tokio::sync::Mutex::new(Live::start(global, rota_io::clock::Clock::system(), &reader).await));
        assert_eq!(state.lock().await.inputs.schedule.rotations.len(), 3);
        let reload = tokio::spawn({
            let (state, reader) = (state.clone(), reader.clone());
            async move { live::reload(&state, &reader).await }
        });
        // Once the server holds the second request, the state must still be free to read.
        tokio::task::spawn_blocking(move || stalled_rx.recv().unwrap()).await.unwrap();
        let menu = tokio::time::timeout(std::time::Duration::from_secs(2), state.lock()).await;
        assert!(menu.is_ok(), "the lock was held while the source was fetched");
        reload.abort();
    });
}

// ---------------------------------------------------------------------------------------------
// The tray's tasks: a poller that fails is started again, its failure shown
// ---------------------------------------------------------------------------------------------

#[test]
fn a_poller_that_fails_is_started_again_with_its_failure_shown() {
    use rota_io::notifier::{ActionSink, Notifier, NotifyError};
    use rota_io::poller::{self, PollStatus, PollerConfig, Snapshot};
    struct Quiet;
    impl Notifier for Quiet {
        fn show(&self, _: &rota_core::notice::NoticeText, _: ActionSink) -> Result<(), NotifyError> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let (tx, snapshots) = std::sync::mpsc::channel::<Snapshot>();
    let handle = poller::spawn(rt.handle(), PollerConfig::local(dir.path().join("escalations.sqlite3"), "ann"), Arc::new(Quiet), {
        let calls = calls.clone();
        move |s: &Snapshot| {
            let _ = tx.send(s.clone());
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("the tray's handler broke");
            }
        }
    });
    let next = || snapshots.recv_timeout(std::time::Duration::from_secs(10)).expect("a snapshot");
    assert_eq!(next().status, PollStatus::Ok, "the first poll, whose handler panics");
    let failed = next();
    assert_eq!(
        failed.problem().as_deref(),
        Some("Escalations unavailable: the escalations poller stopped (the tray's handler broke); it was started again")
    );
    assert_eq!(next().status, PollStatus::Ok, "polling again after the restart");
    rt.block_on(handle.shutdown());
}
