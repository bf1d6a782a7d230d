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

cache="${ROTA_DEBROOT_CACHE:-/var/tmp/rota-debroot}"
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
echo "== package: removing it leaves no program behind"
in_root apt-get remove -y -qq rota >/dev/null
in_root test ! -e /usr/bin/rota -a ! -e /usr/bin/rota-app || { echo "package: programs left after removal" >&2; status=1; }
exit "$status"
