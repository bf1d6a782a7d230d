#!/usr/bin/env bash
# Runs the notification delivery test (io/tests/it/notify.rs) against a real D-Bus
# notification server: a throwaway HOME, a private D-Bus session, and
# tests/e2e/notification_server.py (started by the test) owning org.freedesktop.Notifications.
# The session is hermetic (tests/dbus/session.conf): a notification daemon installed on the machine
# is never started in it, so "no server" is really no server.
# Needs: dbus-run-session --config-file (dbus), /usr/bin/python3 with python3-dbus and python3-gi.
# Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo and rustup find their homes through HOME unless told: pin them before HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
  XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

/usr/bin/python3 -c 'import dbus, gi' || { echo "notify.sh: needs python3-dbus and python3-gi (scripts/deps)" >&2; exit 1; }

# Build first, outside the session.
cargo test -p rota-io --features notify-tests --test it --no-run "$@"

dbus-run-session --config-file="$PWD/tests/dbus/session.conf" -- sh -c 'tests/dbus/hermetic && cargo test -p rota-io --features notify-tests --test it "$@" -- --nocapture notify::' sh "$@"
