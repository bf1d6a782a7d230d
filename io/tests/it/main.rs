//! `rota-io`'s integration tests, one binary: each module a file of tests, the kit (`rota_testkit`)
//! what they share. The tests that need a Secret Service or a notification server are built only
//! with the `keyring-tests` and `notify-tests` features, which `tests/keyring.sh` and
//! `tests/notify.sh` turn on inside a private D-Bus session that provides them.

mod acting;
mod filing;
mod fuzz_corpus;
mod github;
mod github_cost;
mod github_lifecycle;
mod handover;
mod hostile_http;
#[cfg(feature = "keyring-tests")]
mod keyring;
mod lifecycle_local;
mod live_first_run;
mod local_store;
#[cfg(feature = "notify-tests")]
mod notify;
#[cfg(feature = "notify-tests")]
mod notify_remind;
mod outbox;
mod outbox_lock;
mod poller;
mod proxy;
mod reporter;
mod slack;
mod slack_keeper;
mod support;
