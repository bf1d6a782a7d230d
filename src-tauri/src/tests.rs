//! The commands on Tauri's mock runtime: what the web UI receives, and how saving settings
//! checks values and never overwrites a good config with a bad one.

use super::*;
use serde_json::{json, Value};
use std::path::Path;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;

const PEOPLE: &str = r#"
[[person]]
handle = "keegancsmith"
name = "Keegan <img src=x onerror=alert(1)>"
timezone = "Africa/Johannesburg"

[[person]]
handle = "valerybugakov"
timezone = "Europe/Berlin"
hours = "10:00-18:00"
"#;

fn app(dir: &Path) -> (tauri::App<MockRuntime>, tauri::WebviewWindow<MockRuntime>) {
    // Every test here pins the same instant.
    std::env::set_var(clock::NOW_VAR, "2022-09-15T12:00:00Z");
    std::fs::write(dir.join("people.toml"), PEOPLE).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "# my config\ntimezone = \"UTC\"\n[schedule]\nsource = \"builtin:handbook\"\n[roster]\nsource = \"people.toml\"\n",
    )
    .unwrap();
    let overrides = Overrides { config: Some(dir.join("config.toml")), ..Overrides::default() };
    let reader = Reader::new(None);
    let live = tauri::async_runtime::block_on(Live::start(overrides, clock::Clock::from_env().unwrap(), &reader));
    let app = mock_builder()
        .invoke_handler(tauri::generate_handler![commands::dashboard, commands::settings_form, commands::save_settings])
        .manage(AppState {
            live: Mutex::new(live),
            reader,
            shortcut_problem: None,
            escalations_problem: None,
            focus: std::sync::Mutex::new(Some(crate::views::Focus::Person("valerybugakov".into()))),
            action: Default::default(),
            acting: Default::default(),
            checks: Default::default(),
            keep: Default::default(),
        })
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "dashboard", Default::default()).build().expect("mock window");
    (app, webview)
}

fn invoke(w: &tauri::WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize().expect("JSON"))
}

#[test]
fn the_card_asked_for_is_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    // Started from a person's line: the first view brings that card forward, later ones do not
    // pull the view back there as the minutes change.
    assert_eq!(invoke(&w, "dashboard", json!({})).unwrap()["focus"], json!({ "person": "valerybugakov" }));
    assert_eq!(invoke(&w, "dashboard", json!({})).unwrap()["focus"], Value::Null);
}

#[test]
fn the_escalate_window_is_kept_hidden_while_the_process_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _dashboard) = app(dir.path());
    tauri::WebviewWindowBuilder::new(&app, "escalate", Default::default()).build().expect("mock window");
    let handle = app.handle();
    // Kept ten minutes by default: closing the escalate window hides it (the mock runtime does
    // not say visibility: the e2e tests see it go); other windows close.
    assert!(keep::close_requested(handle, "escalate"));
    assert!(!keep::close_requested(handle, "dashboard"));
    // With 0 minutes the process ends with its last window: nothing is kept.
    app.state::<AppState>().live.blocking_lock().settings.config.keep_windows_minutes = 0;
    assert!(!keep::close_requested(handle, "escalate"));
}

#[test]
fn the_dashboard_view_for_a_fixed_instant() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let v = invoke(&w, "dashboard", json!({})).unwrap();
    assert_eq!(v["header"], "Rotation 7 Sep – 9 Oct 2022");
    assert_eq!(v["viewerTime"], "Thu 15 Sep 12:00 UTC");
    let cards: Vec<(&str, &str, &str, &str)> = v["onDuty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["handle"].as_str().unwrap(),
                c["localTime"].as_str().unwrap(),
                c["utcOffset"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(cards, [("keegancsmith", "Thu 14:00", "+02:00", "working"), ("valerybugakov", "Thu 14:00", "+02:00", "working")]);
    // A name from outside arrives as the plain text it is; the UI sets it with textContent.
    assert_eq!(v["onDuty"][0]["name"], "Keegan <img src=x onerror=alert(1)>");
    // The window has the room the menu has not: the line whole ("+ 2 TBD" in the menu).
    assert_eq!(v["nextHandoff"], "Next: Mon 10 Oct 00:00, in about 25 days — tbliu98 + 2 open seats");
    let when: Vec<&str> = v["timeline"].as_array().unwrap().iter().map(|r| r["when"].as_str().unwrap()).collect();
    assert_eq!(when, ["past", "current", "upcoming"]);
    assert_eq!(v["coverage"]["days"].as_array().unwrap().len(), 7);
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["message"].as_str().unwrap().contains("open seat")));
    // The rotation in one sentence, one zone notation, the current hour marked.
    assert_eq!(v["summary"], "2 of 2 working now — next hand-off Mon 10 Oct 00:00");
    assert_eq!((&v["onDuty"][0]["zone"], &v["onDuty"][0]["note"]), (&json!("SAST"), &json!("until 17:00 (3 h left)")));
    assert_eq!(v["coverage"]["nowHour"], 12);
    let now: usize =
        v["coverage"]["days"].as_array().unwrap().iter().flat_map(|d| d["cells"].as_array().unwrap()).filter(|c| c["now"] == true).count();
    assert_eq!(now, 1);
    // The next rotation with an open seat (tbliu98 + 2 TBD): both of the roster fill them, each
    // closing their 40 weekday hours, Valery first (one rotation done to Keegan's two); the grid of
    // its first week has them in it.
    let plan = &v["plan"];
    assert_eq!((&plan["button"], &plan["start"]), (&json!("Fill 2 open seats…"), &json!("2022-10-10")));
    let picked: Vec<(&str, &str, bool)> = plan["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["handle"].as_str().unwrap(), c["closes"].as_str().unwrap(), c["picked"].as_bool().unwrap()))
        .collect();
    assert_eq!(picked, [("valerybugakov", "40", true), ("keegancsmith", "40", true)]);
    assert!(plan["row"]
        .as_str()
        .unwrap()
        .starts_with("| 2022-10-10 to 2022-11-07 | [@tbliu98](https://github.com/tbliu98), [@valerybugakov]"));
    let monday = &plan["coverage"]["days"][0]["cells"];
    assert_eq!((&monday[7]["count"], &monday[8]["count"], &monday[3]["gap"]), (&json!(1), &json!(2), &json!(true)));
}

#[test]
fn saving_checks_every_field_and_keeps_a_good_config() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let config = dir.path().join("config.toml");
    let before = std::fs::read_to_string(&config).unwrap();
    let mut form = invoke(&w, "settings_form", json!({})).unwrap()["form"].clone();
    assert_eq!(form["scheduleSource"], "builtin:handbook");

    form["timezone"] = json!("Mars/Olympus");
    form["rosterSource"] = json!("missing.toml");
    form["handoff"] = json!("noon");
    let err = invoke(&w, "save_settings", json!({ "form": form.clone() })).unwrap_err();
    let fields: Vec<&str> = err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["timezone", "handoff", "roster-source"]);
    assert!(err["errors"][2]["message"].as_str().unwrap().contains("missing.toml"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before, "a bad form never touches the file");

    // A roster that does not parse is refused too, naming its file and line.
    std::fs::write(dir.path().join("broken.toml"), "[[person]]\nhandle = \"x\"\ntimezone = \"Nowhere/Land\"\n").unwrap();
    form["timezone"] = json!("Asia/Kathmandu");
    form["handoff"] = json!("00:00");
    form["rosterSource"] = json!("broken.toml");
    let err = invoke(&w, "save_settings", json!({ "form": form.clone() })).unwrap_err();
    assert!(err["errors"][0]["message"].as_str().unwrap().contains("broken.toml:3"), "{err}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    // A good form is written, comments kept, and the dashboard follows it.
    form["rosterSource"] = json!("people.toml");
    invoke(&w, "save_settings", json!({ "form": form })).unwrap();
    let after = std::fs::read_to_string(&config).unwrap();
    assert!(after.starts_with("# my config\n") && after.contains("timezone = \"Asia/Kathmandu\""), "{after}");
    let v = invoke(&w, "dashboard", json!({})).unwrap();
    assert_eq!(v["viewerTime"], "Thu 15 Sep 17:45 +0545");
}

/// The form refuses what the config file refuses, by the core's rules (it had its own:
/// any team size above 0, any API URL starting "http://127.0.0.1").
#[test]
fn the_form_checks_each_value_by_the_rules_the_config_file_is_read_with() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let good = invoke(&w, "settings_form", json!({})).unwrap()["form"].clone();
    let cases: &[(&str, Value, &str, &str)] = &[
        ("teamSize", json!(101), "team-size", "1 to 100 seats"),
        ("teamSize", json!(0), "team-size", "1 to 100 seats"),
        ("pollSeconds", json!(14), "poll-seconds", "15 to 86400"),
        ("pollSeconds", json!(9223372036854775807u64), "poll-seconds", "15 to 86400"),
        ("githubApi", json!("http://127.0.0.1:1@evil.example/"), "github-api", "user name or password"),
        ("githubApi", json!("http://api.github.example"), "github-api", "clear text"),
        ("githubApi", json!("mailto:x"), "github-api", "not an https URL"),
        ("githubRepo", json!("acme"), "github-repo", "owner/name"),
        ("scheduleSource", json!("http://wiki.example/rota.md"), "schedule-source", "clear text"),
    ];
    for (key, value, field, words) in cases {
        let mut form = good.clone();
        form[*key] = value.clone();
        let err = invoke(&w, "save_settings", json!({ "form": form })).unwrap_err();
        let errors = err["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{key} = {value}: {err}");
        assert_eq!(errors[0]["field"], *field, "{key} = {value}: {err}");
        assert!(errors[0]["message"].as_str().unwrap().contains(words), "{key} = {value}: {err}");
    }
}

/// The open dashboard lints once per change of the inputs (it linted each minute,
/// holding the live lock): asked again and again, the checks are the kept ones; the files read
/// again unchanged keep them; a roster changed lints once more, and its findings show.
#[test]
fn the_dashboard_lints_once_per_change_of_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let (app, w) = app(dir.path());
    let state = app.state::<AppState>();
    let runs = || state.checks.runs.load(std::sync::atomic::Ordering::Relaxed);
    let left_roster = |v: &Value| {
        v["findings"].as_array().unwrap().iter().any(|f| f["message"].as_str().unwrap().starts_with("valerybugakov is not in the roster"))
    };
    for _ in 0..3 {
        assert!(!left_roster(&invoke(&w, "dashboard", json!({})).unwrap()));
    }
    assert_eq!(runs(), 1, "three views, one lint");
    tauri::async_runtime::block_on(live::reload(&state.live, &state.reader));
    invoke(&w, "dashboard", json!({})).unwrap();
    assert_eq!(runs(), 1, "the files read again as they were: no lint");

    // valerybugakov, on the current rotation, leaves the roster.
    std::fs::write(dir.path().join("people.toml"), PEOPLE.replace("valerybugakov", "newcomer")).unwrap();
    tauri::async_runtime::block_on(live::reload(&state.live, &state.reader));
    assert!(left_roster(&invoke(&w, "dashboard", json!({})).unwrap()));
    assert_eq!(runs(), 2, "the roster changed: one lint");
    invoke(&w, "dashboard", json!({})).unwrap();
    assert_eq!(runs(), 2);
}

/// The tray hands window requests to a running windows process by the name Tauri's
/// single-instance plugin takes for it: the identifier's, with `.windows` (see `build_windows`).
#[cfg(target_os = "linux")]
#[test]
fn the_tray_reaches_the_windows_process_by_its_single_instance_name() {
    let conf: Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    let identifier = conf["identifier"].as_str().unwrap();
    assert_eq!(format!("{identifier}.windows.SingleInstance"), rota_io::instance::WINDOWS_NAME);
}
