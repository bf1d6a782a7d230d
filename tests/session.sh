#!/usr/bin/env bash
# Runs a command in the private session the Rust tests that need system services are run in:
#   tests/session.sh cargo test --workspace --all-features    # what tests/run does
# A throwaway HOME, and a hermetic D-Bus session (tests/dbus/session.conf: nothing of the
# machine's is started in it, so "no server" really is no server) with an unlocked gnome-keyring
# in it, the Secret Service of the `keyring-tests`. The `notify-tests` start their own
# notification server on that bus (tests/e2e/notification_server.py).
# Needs: dbus-run-session --config-file (dbus), gnome-keyring, /usr/bin/python3 with python3-dbus
# and python3-gi (scripts/deps installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 -c 'import dbus, gi' || { echo "session.sh: needs python3-dbus and python3-gi (scripts/deps)" >&2; exit 1; }

# cargo and rustup find their homes through HOME unless told: pin them before HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
  XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# gnome-keyring refuses an empty password (NoStorageAccess); any other unlocks the new keyring.
dbus-run-session --config-file="$PWD/tests/dbus/session.conf" -- sh -c 'set -e
  tests/dbus/hermetic
  printf "rota-test-password" | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null
  "$@"' sh "$@"
