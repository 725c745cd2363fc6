#!/usr/bin/env bash
# The .deb as a studio would get it: installs it with apt (which resolves its dependencies),
# checks what landed (binary, desktop entry, icons, version), launches the INSTALLED binary under
# Xvfb in a private D-Bus session with an unlocked gnome-keyring, drives it through tauri-driver to
# the first screen (artifacts/package/first-screen.png), then removes the package and checks it is
# gone. Needs root (or sudo). Safe to run again: a copy installed earlier is removed first.
# Usage: tests/package/install-test.sh [likeness-studio_X_amd64.deb] (default: artifacts/package/)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/artifacts/package"
PKG=likeness-studio
BIN=/usr/bin/likeness-studio
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
mkdir -p "$OUT"

deb=${1:-}
if [ -z "$deb" ]; then
  shopt -s nullglob
  debs=("$OUT"/${PKG}_*.deb)
  shopt -u nullglob
  [ ${#debs[@]} -eq 1 ] || { echo "no single $PKG .deb in artifacts/package: run scripts/package" >&2; exit 1; }
  deb=${debs[0]}
fi
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$ROOT/src-tauri/tauri.conf.json")

WORK=$(mktemp -d)
chmod 755 "$WORK"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "not ok - $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed"; then
  echo "== removing the copy installed by an earlier run"
  $SUDO apt-get remove -y -qq "$PKG" >/dev/null
fi

echo "== apt-get install $deb"
# apt reads the file as its unprivileged _apt user: a world-readable copy avoids its warning.
cp "$deb" "$WORK/" && chmod 644 "$WORK/$(basename "$deb")"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$WORK/$(basename "$deb")" >"$OUT/apt-install.log" 2>&1 \
  || { cat "$OUT/apt-install.log" >&2; fail "apt-get install"; }

# --- what landed ---------------------------------------------------------------------------------
status=$(dpkg-query -W -f='${Status} ${Version}' "$PKG")
[ "$status" = "install ok installed $version" ] || fail "dpkg status: '$status', expected version $version"
ok "dpkg -s: installed, version $version"
[ -x "$BIN" ] && file -L "$BIN" | grep -q "ELF 64-bit" || fail "$BIN is not an executable ELF"
dpkg -S "$BIN" | grep -q "^$PKG:" || fail "$BIN does not belong to $PKG"
ok "binary $BIN"
# Every library the binary needs resolves on this system (apt installed the Depends).
! ldd "$BIN" | grep -q "not found" || { ldd "$BIN" | grep "not found" >&2; fail "unresolved libraries"; }
ok "all shared libraries resolve"

desktop=$(dpkg -L "$PKG" | grep '^/usr/share/applications/.*\.desktop$' || true)
[ "$(echo "$desktop" | grep -c .)" -eq 1 ] || fail "expected one .desktop file, got: $desktop"
grep -qx "Exec=likeness-studio" "$desktop" || fail "$desktop: Exec is not likeness-studio: $(grep ^Exec "$desktop")"
grep -qx "Icon=likeness-studio" "$desktop" || fail "$desktop: no Icon=likeness-studio"
grep -qx "Name=Likeness Studio" "$desktop" || fail "$desktop: Name is not Likeness Studio"
grep -qx "Type=Application" "$desktop" || fail "$desktop: not an application entry"
grep -q "^Categories=.*AudioVideo" "$desktop" || fail "$desktop: Categories: $(grep ^Categories "$desktop")"
ok "desktop entry $desktop"

icons=$(dpkg -L "$PKG" | grep '^/usr/share/icons/hicolor/.*/apps/likeness-studio\.png$' || true)
[ "$(echo "$icons" | grep -c .)" -ge 4 ] || fail "expected at least 4 hicolor icons, got: $icons"
for icon in $icons; do
  # …/hicolor/128x128/apps/… or …/hicolor/128x128@2/apps/… (twice the size): the PNG must be that size.
  dir=$(basename "$(dirname "$(dirname "$icon")")")
  side=${dir%%x*}
  case "$dir" in *@2) side=$((side * 2)) ;; esac
  actual=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; w,h=struct.unpack(">II",d[16:24]); print(f"{w}x{h}")' "$icon")
  [ "$actual" = "${side}x${side}" ] || fail "$icon is $actual, expected ${side}x${side}"
done
ok "hicolor icons: $(echo $icons | tr ' ' '\n' | sed 's#.*/hicolor/##; s#/apps.*##' | tr '\n' ' ')"

# --- the installed app shows its first screen ----------------------------------------------------
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"
mkdir -p "$WORK/home" "$WORK/data"
rm -f "$OUT/first-screen.png"
HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" NO_AT_BRIDGE=1 \
  LIKENESS_REHEARSAL_HOST=127.0.0.1 LIKENESS_KEYRING_SERVICE=likeness-package-test \
  dbus-run-session -- bash -c '
    echo -n package | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    xvfb-run -a -s "-screen 0 1280x860x24" python3 "$1" "$2" "$3"
  ' _ "$ROOT/tests/package/first_screen.py" "$BIN" "$OUT/first-screen.png" \
  2> >(grep -v "Failed to set fd limit" >&2) || fail "the installed app did not show its first screen"
[ -s "$OUT/first-screen.png" ] || fail "no screenshot"
ok "first screen: $OUT/first-screen.png"

# --- clean removal -------------------------------------------------------------------------------
DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq "$PKG" >"$OUT/apt-remove.log" 2>&1 \
  || { cat "$OUT/apt-remove.log" >&2; fail "apt-get remove"; }
[ ! -e "$BIN" ] || fail "$BIN is still there after apt-get remove"
[ ! -e "$desktop" ] || fail "$desktop is still there after apt-get remove"
for icon in $icons; do [ ! -e "$icon" ] || fail "$icon is still there after apt-get remove"; done
! dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed" || fail "dpkg still lists $PKG"
ok "apt-get remove: binary, desktop entry and icons gone"
echo "package install test passed"
