#!/usr/bin/env bash
# Real-window smoke test: starts the app with --demo under Xvfb (Mesa renders through wgpu's
# GL or Vulkan fallback), runs a search with the keyboard as a user would (Enter), takes
# screenshots through the X server and checks that the window drew something and that the
# search changed the screen.
#
# Usage: tests/smoke/gui.sh [BINARY] [SCREENSHOT.png]
# Needs: xvfb, xdotool, imagemagick, Mesa (libgl1-mesa-dri, mesa-vulkan-drivers).
set -euo pipefail

binary=${1:-target/release/recuperador-followups}
shot=${2:-${TMPDIR:-/tmp}/recuperador-followups-smoke.png}
work=$(mktemp -d)
display_number=$((90 + RANDOM % 100))
app_pid=""
xvfb_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "gui smoke: FAIL: $*" >&2; [ -f "$work/app.log" ] && sed 's/^/  app: /' "$work/app.log" >&2; exit 1; }

[ -x "$binary" ] || fail "binary not found: $binary"
Xvfb ":$display_number" -screen 0 1400x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=":$display_number"
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
xdpyinfo >/dev/null 2>&1 || fail "Xvfb did not start"

# A private home: no settings from this machine, none left behind.
export HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_RUNTIME_DIR="$work/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

started=$(date +%s%N)
RECUPERADOR_STARTUP_TIMING=1 "$binary" --demo >"$work/app.log" 2>&1 &
app_pid=$!
window=$(timeout 30 xdotool search --sync --name "Follow-ups" | head -n 1) \
  || fail "no window within 30 s"
shown=$(date +%s%N)
echo "gui smoke: window found after $(( (shown - started) / 1000000 )) ms (xdotool polls; the app's own count follows)"
kill -0 "$app_pid" 2>/dev/null || fail "the app exited"

# Demo mode fills the form once the simulator is up; give it a moment, then search.
sleep 2
import -window "$window" "$work/before.png"
xdotool windowactivate --sync "$window" >/dev/null 2>&1 || xdotool windowfocus "$window" || true
xdotool key --window "$window" Return
sleep 3
import -window "$window" "$shot"
kill -0 "$app_pid" 2>/dev/null || fail "the app exited during the search"

grep -m1 "first frame after" "$work/app.log" | sed 's/^/gui smoke: /' || true
colors=$(identify -format '%k' "$shot")
changed=$(compare -metric AE "$work/before.png" "$shot" null: 2>&1 || true)
changed=${changed%% *}
echo "gui smoke: $colors colours in the screenshot; $changed pixels changed by the search"
[ "${colors:-0}" -gt 50 ] || fail "the screenshot looks blank ($colors colours)"
[ "${changed%.*}" -gt 20000 ] 2>/dev/null || fail "the search did not change the screen ($changed pixels)"
echo "gui smoke: ok ($shot)"
