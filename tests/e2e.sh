#!/usr/bin/env bash
# End-to-end tests of the real app: tests/e2e.sh path/to/rota [pytest arguments...]
#
# Runs pytest on tests/e2e with each of its workers inside a private desktop of its own: a D-Bus
# session (dbus-run-session --config-file=tests/dbus/session.conf) with an unlocked gnome-keyring,
# Xvfb, a tray host (tests/e2e/tray_host.py) and tauri-driver, all under a throwaway HOME. The
# tests mostly wait (on windows, D-Bus, the app's start), so ROTA_E2E_WORKERS of them (3 unless
# told; pytest-xdist) run at once, each worker a desktop of its own: no display, bus, keyring,
# tray host, WebDriver port or HOME is shared. ROTA_E2E_WORKERS=1 runs them one after another in
# one desktop, without xdist (for -x, --pdb). Screenshots go to tests/artifacts/ (not committed),
# each desktop's service logs to tests/artifacts/logs/WORKER/. Exits with pytest's status.
set -euo pipefail

tests="$(cd "$(dirname "$0")" && pwd)"
artifacts="${ROTA_ARTIFACTS:-$tests/artifacts}"
# tauri-driver, installed once and kept between runs in a private cache (scripts/private-cache).
tools="${ROTA_TOOLS:-$("$tests/../scripts/private-cache" tools)}"

# Polls a command until it succeeds: wait_until SECONDS WHAT COMMAND...
wait_until() {
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "e2e: timed out waiting for $what" >&2; return 1; }
    sleep 0.1
  done
}

# A private desktop: a home of its own (--home), then a hermetic D-Bus session (--session), and in
# it (--desktop) the keyring, the display, the tray host and tauri-driver, then COMMAND:
#   tests/e2e.sh --home NAME PORT NATIVE_PORT COMMAND...
# NAME names its log folder; tauri-driver listens on PORT, its WebKitWebDriver on NATIVE_PORT (both
# chosen below, all the desktops' at once, so no two desktops are handed the same port). Its output
# is only COMMAND's: a pytest-xdist worker's Python talks to pytest over its stdin and stdout.
if [[ "${1:-}" == --home ]]; then
  shift
  home="$(mktemp -d)"
  trap 'rm -rf "$home"' EXIT
  export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  status=0
  # A hermetic session: only what the tests start runs in it. dbus-daemon's note that it may not
  # raise its fd limit is dropped; the rest of stderr shows (an activation attempt among it).
  dbus-run-session --config-file="$tests/dbus/session.conf" -- "$tests/e2e.sh" --desktop "$@" \
    2> >(grep -Ev "Failed to set fd limit|SpiRegistry" >&2) || status=$?
  exit "$status"
fi

if [[ "${1:-}" == --desktop ]]; then
  name="$2" port="$3" native_port="$4"
  shift 4
  pids=()
  # tauri-driver's WebKitWebDriver outlives tauri-driver when killed: ended with it, so nothing of
  # the run is left holding its output.
  trap 'for p in "${pids[@]}"; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
  logs="$artifacts/logs/$name"
  mkdir -p "$logs"
  # What the services say goes to their logs or to stderr, never to stdout (COMMAND's alone).
  exec {out}>&1 1>&2

  # Nothing of the machine's can be started on demand in this session (tests/dbus/session.conf).
  "$tests/dbus/hermetic"

  # An empty password fails (NoStorageAccess); any other unlocks the new login keyring.
  printf 'rota-e2e' | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null

  # Xvfb picks a free display and writes its number once it accepts connections. -noreset: an X
  # server resets when its last client leaves (between two tests, nothing of a desktop's holds a
  # connection), and one connecting meanwhile is cut off: a tray started then had no shortcut
  # ("Connection reset by peer"). A desktop's server runs for the whole session.
  exec {xvfb}< <(exec Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp -noreset 2>"$logs/xvfb.log")
  pids+=($!)
  read -r -t 30 -u "$xvfb" display || { echo "e2e: Xvfb did not start (see $logs/xvfb.log)" >&2; exit 1; }
  export DISPLAY=":$display"

  /usr/bin/python3 -u "$tests/e2e/tray_host.py" >"$logs/tray_host.log" 2>&1 </dev/null &
  pids+=($!)
  wait_until 15 "the tray host" grep -q "ready" "$logs/tray_host.log"

  "$tools/bin/tauri-driver" --port "$port" --native-port "$native_port" >"$logs/tauri-driver.log" 2>&1 </dev/null &
  pids+=($!)
  export ROTA_TAURI_DRIVER_URL="http://127.0.0.1:$port"
  wait_until 30 "tauri-driver" /usr/bin/python3 -c "import urllib.request as u; u.urlopen('$ROTA_TAURI_DRIVER_URL/status', timeout=2)"

  status=0
  "$@" 1>&"$out" {out}>&- || status=$?
  exit "$status"
fi

binary="${1:?usage: tests/e2e.sh path/to/rota [pytest arguments...]}"
shift
[[ -x "$binary" ]] || { echo "e2e: $binary is not an executable" >&2; exit 2; }
export ROTA_BIN="$(realpath "$binary")" ROTA_ARTIFACTS="$artifacts" ROTA_TOOLS="$tools"
# The test kit's fake GitHub (tests/e2e/fake_github.py), built beside rota by `cargo build -p rota-testkit`.
export ROTA_FAKE_GITHUB="${ROTA_FAKE_GITHUB:-$(dirname "$ROTA_BIN")/fake-github}"

# What the harness needs from Debian, installed when missing.
packages=(python3-dbus python3-gi python3-pytest python3-pytest-xdist python3-selenium python3-xlib xdotool webkit2gtk-driver xvfb xauth
  dbus at-spi2-core gnome-keyring)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [[ "$(id -u)" -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# cargo and rustup find their homes through HOME unless told: pin them before HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
if [[ ! -x "$tools/bin/tauri-driver" ]]; then
  echo "e2e: installing tauri-driver into $tools"
  CARGO_INSTALL_ROOT="$tools" cargo install tauri-driver --locked --version '^2'
fi

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
# Each desktop makes a home of its own in here; pytest's own files (its temporary folders) are here too.
export HOME="$home" TMPDIR="$home" PYTHONDONTWRITEBYTECODE=1
mkdir -p "$artifacts/logs"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

workers="${ROTA_E2E_WORKERS:-3}"
# Two ports for each desktop, bound at once: all different.
read -ra ports < <(/usr/bin/python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(2 * int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$workers")
pytest=(/usr/bin/python3 -m pytest "$tests/e2e" -p no:cacheprovider -v)
if ((workers > 1)); then
  # Each worker is a Python that pytest-xdist starts (`python=`, with -u -c BOOTSTRAP added) inside
  # a private desktop of its own; --dist load hands each the next test as it finishes one.
  tx=()
  for ((k = 0; k < workers; k++)); do
    tx+=(--tx "popen//python=$tests/e2e.sh --home desktop-$k ${ports[2 * k]} ${ports[2 * k + 1]} /usr/bin/python3")
  done
  pytest+=(-p xdist --dist load "${tx[@]}")
else
  pytest=("$tests/e2e.sh" --home desktop "${ports[0]}" "${ports[1]}" "${pytest[@]}")
fi
status=0
"${pytest[@]}" "$@" || status=$?
exit "$status"
