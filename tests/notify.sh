#!/usr/bin/env bash
# A shortcut to the notification delivery test (rota-io's `notify-tests` feature: the poller
# through notify-rust to tests/e2e/notification_server.py, started by the test), with the rest of
# rota-io's tests, in the private session of tests/session.sh, where a notification daemon
# installed on the machine is never started. Extra arguments go to `cargo test` (a test name to
# filter on, say). tests/run runs it with every other test, in one session.
exec "$(dirname "$0")/session.sh" cargo test -p rota-io --all-features "$@"
