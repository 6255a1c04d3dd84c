#!/usr/bin/env bash
# Starts the cross-built Windows .exe under Wine on Xvfb, the nearest thing to a double-click on
# Windows that a Linux machine allows, and saves a screenshot of what shows up (the window, or
# the app's "no graphics" message box). Optional: Wine is large, so CI does not run this.
# Needs root to install wine, Xvfb, openbox, xdotool and ImageMagick when missing.
#
#   dist/windows/smoke-test-wine.sh [path/to/recuperador-followups.exe]
#
# Default exe: the one dist/windows/package.sh built. Screenshot: dist/out/smoke-test-wine.png
# (SCREENSHOT=... to change).
# shellcheck source=dist/lib.sh
source "$(dirname "$0")/../lib.sh"

exe="${1:-$(target_dir)/x86_64-pc-windows-gnu/release/$APP.exe}"
screenshot="${SCREENSHOT:-$OUT/smoke-test-wine.png}"
display=":${SMOKE_DISPLAY:-98}"
[ -f "$exe" ] || { echo "no $exe: run dist/windows/package.sh first" >&2; exit 1; }

step "Tools"
tools=(wine wine64 xvfb openbox xdotool x11-utils x11-apps imagemagick)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

prefix="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  WINEPREFIX="$prefix" wineserver -k 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$prefix"
}
trap cleanup EXIT
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY="$display"

step "Xvfb ($display), openbox and a new Wine prefix"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp &
pids+=($!)
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
openbox &
pids+=($!)
wineboot --init
wineserver -w

step "wine $exe"
wine "$exe" &
pids+=($!)
window=""
for _ in $(seq 90); do
  window="$(xdotool search --name "Recuperador" 2>/dev/null | tail -n 1 || true)"
  [ -n "$window" ] && break
  sleep 0.5
done
[ -n "$window" ] || { echo "FALHOU: no window after 45 s" >&2; exit 1; }
sleep 6
xprop -id "$window" WM_NAME _NET_WM_NAME
mkdir -p "$(dirname "$screenshot")"
xwd -root -silent | convert xwd:- "$screenshot"
echo "screenshot: $screenshot (look at it: the app's window, or its message box)"
