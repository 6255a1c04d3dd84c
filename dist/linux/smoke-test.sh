#!/usr/bin/env bash
# Installs a built .deb the way a user would (apt), checks what it put in place, then starts the
# app from its menu entry under Xvfb with a window manager that draws window icons (openbox) and
# saves a screenshot. Needs root (apt); installs Xvfb, openbox, xdotool and x11-utils if missing.
#
#   dist/linux/smoke-test.sh [path/to/recuperador-followups_<version>_amd64.deb]
#
# The screenshot is written to dist/out/smoke-test.png (SCREENSHOT=... to change).
# shellcheck source=dist/lib.sh
source "$(dirname "$0")/../lib.sh"

deb="${1:-$OUT/${APP}_${VERSION}_amd64.deb}"
deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
screenshot="${SCREENSHOT:-$OUT/smoke-test.png}"
display=":${SMOKE_DISPLAY:-97}"
desktop_file="/usr/share/applications/$APP.desktop"

fail() {
  echo "FALHOU: $*" >&2
  exit 1
}

step "Tools"
tools=(xvfb openbox xdotool x11-utils x11-apps imagemagick desktop-file-utils libglib2.0-bin)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

step "apt install $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb"
dpkg -s "$APP" | sed -n 's/^\(Package\|Version\|Depends\):/&/p'

step "What the package put in place"
command -v "$APP" || fail "$APP not on the PATH"
command -v "$CLI" || fail "$CLI not on the PATH"
"$CLI" --version
desktop-file-validate "$desktop_file" || fail "invalid $desktop_file"
echo "$desktop_file: valid"
for size in 16 32 48 128 256 512; do
  icon="/usr/share/icons/hicolor/${size}x${size}/apps/$APP.png"
  [ -f "$icon" ] || fail "missing $icon"
  echo "$icon"
done

step "Start from the menu entry under Xvfb ($display)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp &
pids+=($!)
export DISPLAY="$display"
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
openbox &
pids+=($!)
sleep 1
# gio launches the entry as a menu does: its Exec line, with the desktop's environment.
gio launch "$desktop_file" &
pids+=($!)
window=""
for _ in $(seq 60); do
  window="$(xdotool search --class "$APP" 2>/dev/null | tail -n 1 || true)"
  [ -n "$window" ] && break
  sleep 0.5
done
[ -n "$window" ] || fail "no $APP window after 30 s"
# Let the first frames render.
sleep 4
xprop -id "$window" WM_CLASS _NET_WM_NAME
# The icon the window hands to the window manager: width, height, then ARGB pixels.
icon_size="$(xprop -id "$window" -notype 32c _NET_WM_ICON |
  awk -F'[=,] *' 'NR == 1 { print $2 "x" $3 }')"
[ "$icon_size" = 256x256 ] || fail "the window's _NET_WM_ICON is '$icon_size', not 256x256"
echo "_NET_WM_ICON: $icon_size"
xdotool getwindowname "$window" >/dev/null 2>&1 || fail "the window closed"
mkdir -p "$(dirname "$screenshot")"
xwd -root -silent | convert xwd:- "$screenshot"
echo "screenshot: $screenshot"

echo
echo "smoke test passed"
