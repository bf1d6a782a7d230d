#!/usr/bin/env bash
# Runs the keyring tests, modules of the crates' test binaries (io/tests/it/keyring.rs;
# rota/tests/it/secrets_cli.rs: `rota secret set` and the token never in any output;
# outbox_keyring.rs: the outbox against GitHub and Slack with secrets from the keyring; outbox_refused.rs: a refusal kept with GitHub's reason;
# stats_github.rs: `rota stats` on GitHub, figures and 304s) against a
# real Secret Service:
# a throwaway HOME, a private D-Bus session and an unlocked gnome-keyring in it.
# Needs: dbus-run-session --config-file (dbus), gnome-keyring. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo and rustup find their homes through HOME unless told: pin them before HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
  XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# Build first, outside the session, so the daemon does not wait on the compiler.
cargo test -p rota-io --features keyring-tests --test it --no-run "$@"
cargo test -p rota --features keyring-tests --test it --no-run "$@"

# gnome-keyring refuses an empty password (NoStorageAccess); any other unlocks the new keyring.
# The session is hermetic (tests/dbus/session.conf): the keyring is the one started here, never
# one the machine would activate.
dbus-run-session --config-file="$PWD/tests/dbus/session.conf" -- sh -c 'set -e
  tests/dbus/hermetic
  printf "rota-test-password" | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null
  cargo test -p rota-io --features keyring-tests --test it "$@" -- --nocapture keyring::
  cargo test -p rota --features keyring-tests --test it "$@" -- --nocapture secrets_cli:: outbox_keyring:: outbox_refused:: stats_github::
' sh "$@"
