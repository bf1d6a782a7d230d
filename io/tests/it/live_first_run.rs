//! A first run has no `~/.config/rota`. The config a person then writes (by hand, or
//! Settings → Save) reaches the running tray without a restart: `live::follow` watches the nearest
//! folder that exists and moves its watch down as the folders appear.
//!
//! The test sets the process's XDG folders and `ROTA_NOW`: it runs alone in a process of its own
//! (`rota_testkit::alone`).

use rota_io::live::{self, Live, Surface};
use rota_io::protocol::Overrides;
use rota_io::sources::{Reader, Source};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex};

/// A surface that reports each refresh: the loop is running, and the state may have changed.
struct Refreshes(mpsc::UnboundedSender<()>);

impl Surface for Refreshes {
    async fn refresh(&self) {
        let _ = self.0.send(());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_written_after_a_first_start_is_followed() {
    if !rota_testkit::alone::in_own_process("live_first_run::a_config_written_after_a_first_start_is_followed") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let config_home = home.path().join("config"); // does not exist yet: a first run
                                                  // SAFETY: the only test in this process, and no other thread reads the environment yet.
    unsafe {
        std::env::set_var("HOME", home.path());
        std::env::set_var("XDG_CONFIG_HOME", &config_home);
        std::env::set_var("XDG_DATA_HOME", home.path().join("data"));
        std::env::set_var("XDG_CACHE_HOME", home.path().join("cache"));
        // A second before a minute boundary, pinned: the loop then wakes every 0.1 s, so a refresh
        // says it is running with its watch in place.
        std::env::set_var("ROTA_NOW", "2022-09-15T11:59:59.900Z");
    }
    let reader = Reader::new(None);
    let live = Arc::new(Mutex::new(Live::start(Overrides::default(), rota_io::clock::Clock::from_env().unwrap(), &reader).await));
    assert_eq!(live.lock().await.settings.schedule, Source::Demo, "a first run shows the demo team");

    let (tx, mut refreshed) = mpsc::unbounded_channel();
    let follower = {
        let live = live.clone();
        tokio::spawn(async move { live::follow(&live, &Reader::new(None), &Refreshes(tx)).await })
    };
    tokio::time::timeout(Duration::from_secs(10), refreshed.recv()).await.expect("the loop runs").unwrap();

    // Now the person sets up their team: the folders appear, then the config in them.
    let folder = config_home.join("rota");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("people.toml"), "[[person]]\nhandle = \"keegancsmith\"\ntimezone = \"Africa/Johannesburg\"\n").unwrap();
    std::fs::write(
        folder.join("config.toml"),
        "me = \"keegancsmith\"\n[schedule]\nsource = \"builtin:handbook\"\n[roster]\nsource = \"people.toml\"\n",
    )
    .unwrap();

    let followed = async {
        loop {
            refreshed.recv().await.expect("the loop keeps running");
            let live = live.lock().await;
            if live.settings.schedule == Source::Handbook {
                return (live.settings.me.clone(), live.settings.config_file.clone());
            }
        }
    };
    let (me, file) = tokio::time::timeout(Duration::from_secs(10), followed)
        .await
        .expect("the config written after the start reaches the state without a restart");
    assert_eq!(me.as_deref(), Some("keegancsmith"));
    assert_eq!(file, Some(folder.join("config.toml")));
    follower.abort();
}
