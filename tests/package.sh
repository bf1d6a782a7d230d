#!/usr/bin/env bash
# Installs the .deb from dist/ (scripts/package) into a clean Debian root and runs it there:
#   tests/package.sh
# The root is made with debootstrap from Debian's packages, from the mirror this machine's own apt
# sources name, and kept (pristine) in a cache folder outside the clone; each run installs into a
# fresh copy of it, so a dependency the package forgets to declare is missing there and fails:
# `apt-get install ./rota_….deb` must pull in everything, `rota now --json` and `rota check` must
# run, and `ldd` must find every library `rota` and `rota-app` link.
set -euo pipefail
cd "$(dirname "$0")/.."
deb="$(ls dist/*.deb 2>/dev/null | head -n 1)"
[[ -n "$deb" ]] || { echo "package: no .deb in dist/ (run scripts/package)" >&2; exit 1; }

sudo=""; [[ "$(id -u)" -eq 0 ]] || sudo=sudo
command -v debootstrap >/dev/null || {
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}

# The machine's own Debian mirror and release (deb822 sources, or the one-line format).
mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
[[ -n "$mirror" ]] || mirror="$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit } $1 == "deb" { print $3; exit }' /etc/apt/sources.list 2>/dev/null || true)"
[[ -n "$mirror" ]] || { echo "package: no Debian mirror in this machine's apt sources" >&2; exit 1; }
suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"

# Root runs what is in this root: it is kept where only root could have put it.
cache="${ROTA_DEBROOT_CACHE:-$(scripts/private-cache --root debroot)}"
clean="$cache/$suite"
if [[ ! -x "$clean/usr/bin/apt-get" ]]; then
  echo "package: making a clean $suite root from $mirror (once; kept in $cache)"
  $sudo rm -rf "$clean.tmp"
  $sudo mkdir -p "$cache"
  $sudo debootstrap --variant=minbase "$suite" "$clean.tmp" "$mirror" >/dev/null
  $sudo mv "$clean.tmp" "$clean"
fi

root="$(mktemp -d "$cache/run.XXXXXX")"
mounted=()
cleanup() {
  # Anything still running from the root (a check that failed half-way) ends with it.
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/exe" 2>/dev/null)" in "$root"/*) $sudo kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
  done
  for m in "${mounted[@]}"; do $sudo umount -l "$m" 2>/dev/null || true; done
  $sudo rm -rf "$root"
}
trap cleanup EXIT
$sudo cp -a "$clean/." "$root/"
# Downloaded packages are kept between runs (they are what the mirror serves; nothing installed).
mkdir -p "$cache/archives/partial"
for m in proc:/proc archives:/var/cache/apt/archives; do
  src="${m%%:*}" dst="$root${m#*:}"
  if [[ "$src" == proc ]]; then $sudo mount -t proc proc "$dst"; else $sudo mount --bind "$cache/archives" "$dst"; fi
  mounted+=("$dst")
done
$sudo cp "$deb" "$root/tmp/"
in_root() { $sudo chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

echo "== package: apt-get install ./$(basename "$deb") in a clean $suite root"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" >/dev/null
echo "== package: what it installed"
in_root dpkg -L rota | grep -E '^/usr/(bin|share/applications|share/icons)/' | sort
status=0
echo "== package: the installed rota runs"
in_root env ROTA_NOW=2022-09-15T12:00:00Z rota now --json --schedule builtin:handbook --tz UTC || status=1
in_root rota check || status=1
echo "== package: every library the programs link is there"
for program in /usr/bin/rota /usr/bin/rota-app; do
  missing="$(in_root ldd "$program" | grep 'not found' || true)"
  if [[ -n "$missing" ]]; then
    echo "package: $program links libraries the package does not bring in:" >&2
    echo "$missing" >&2
    status=1
  fi
done
# The Tauri tray host loads libayatana-appindicator at run time (dlopen), which ldd cannot see.
in_root sh -c 'ldconfig -p | grep -q "libayatana-appindicator3.so.1 "' \
  || { echo "package: libayatana-appindicator3.so.1 (loaded at run time by the Tauri tray) is not installed" >&2; status=1; }
in_root test -f /usr/share/applications/Rota.desktop -o -f /usr/share/applications/rota-app.desktop || { echo "package: no desktop entry" >&2; status=1; }
echo "== package: start at login, turned on in the installed tray's menu, starts the installed program"
# A user's config, which removal must leave alone.
in_root sh -c 'mkdir -p /root/.config/rota && printf "me = \"ann\"\n" > /root/.config/rota/config.toml'
config_before="$(in_root cat /root/.config/rota/config.toml)"
# The tray in a D-Bus session of its own in the root, its menu clicked as a panel would (dbus-send,
# from the dbus package the .deb depends on). There is no X server in the root: DISPLAY names one
# that is not there, so the tray runs without its shortcut, as on a desktop whose X refuses the grab.
$sudo tee "$root/tmp/session.sh" >/dev/null <<'SESSION'
DISPLAY=:99 /usr/bin/rota --schedule builtin:handbook >/tmp/tray.log 2>&1 &
say() { dbus-send --session --print-reply "$@"; }
for _ in $(seq 200); do
  item="$(say --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames | grep -o 'org.kde.StatusNotifierItem-[0-9-]*' | head -n 1)"
  [ -n "$item" ] && break
  sleep 0.1
done
menu="$(say --dest="$item" /StatusNotifierItem org.freedesktop.DBus.Properties.Get string:org.kde.StatusNotifierItem string:Menu | grep -o 'object path "[^"]*"' | cut -d'"' -f2)"
# The id of the "Start at login" item: the int32 that opens the struct its label is in.
id="$(say --dest="$item" "$menu" com.canonical.dbusmenu.GetLayout int32:0 int32:-1 array:string: \
  | awk '/struct {/ { expect = 1; next } expect && /int32/ { id = $2; expect = 0 } /"Start at login"/ { print id; exit }')"
say --dest="$item" "$menu" com.canonical.dbusmenu.Event int32:"$id" string:clicked variant:int32:0 uint32:0 >/dev/null
for _ in $(seq 100); do
  [ -f /root/.config/autostart/rota.desktop ] && break
  sleep 0.1
done
touch /tmp/session.ready
wait
SESSION
# A hermetic session, as every test's: nothing installed in the root is started on demand.
$sudo cp tests/dbus/session.conf "$root/tmp/session.conf"
in_root dbus-run-session --config-file=/tmp/session.conf -- sh /tmp/session.sh >"$cache/session.log" 2>&1 &
session=$!
for _ in $(seq 300); do [[ -e "$root/tmp/session.ready" ]] && break; sleep 0.1; done
entry="$(in_root cat /root/.config/autostart/rota.desktop 2>/dev/null || true)"
if ! grep -q '^Exec=/usr/bin/rota *$' <<<"$entry"; then
  echo "package: the start-at-login entry does not start /usr/bin/rota:" >&2
  echo "${entry:-(no entry; the tray said: $(cat "$root/tmp/tray.log" 2>/dev/null))}" >&2
  status=1
fi
# Processes of the installed programs, as seen from inside the root.
running() { in_root sh -c 'for p in /proc/[0-9]*; do readlink "$p/exe" 2>/dev/null; done' | grep -E '^/usr/bin/rota(-app)?( \(deleted\))?$' || true; }
[[ -n "$(running)" ]] || { echo "package: the installed tray is not running before removal" >&2; status=1; }

echo "== package: removing it ends the running tray, leaves no program behind, keeps the user's config"
in_root apt-get remove -y -qq rota >/dev/null
in_root test ! -e /usr/bin/rota -a ! -e /usr/bin/rota-app || { echo "package: programs left after removal" >&2; status=1; }
left="$(running)"
[[ -z "$left" ]] || { echo "package: still running after removal: $left" >&2; status=1; }
# (Whatever removal left running is ended with the root, by cleanup.)
[[ "$(in_root cat /root/.config/rota/config.toml 2>/dev/null)" == "$config_before" ]] \
  || { echo "package: the user's config did not survive removal" >&2; status=1; }
exit "$status"
