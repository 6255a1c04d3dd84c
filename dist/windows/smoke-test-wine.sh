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
tools=(wine wine64 gcc-mingw-w64-x86-64 xvfb openbox xdotool x11-utils x11-apps imagemagick)
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
# Wine 8 (Debian 12) renders DirectX 12 through vkd3d, which fails on wgpu's shaders here and
# makes the app show its "no graphics" message box; OpenGL goes through the host's Mesa.
# WGPU_BACKEND=dx12 shows that message box instead.
export WGPU_BACKEND="${WGPU_BACKEND:-gl}"

step "Test-only shim: bcryptprimitives.dll"
# Rust's standard library draws random numbers with ProcessPrng from bcryptprimitives.dll,
# which Windows 10 and later have and Wine 8 lacks. This stand-in (RtlGenRandom) goes next to a
# copy of the exe in the throwaway prefix, never into a package.
run_dir="$prefix/run"
mkdir -p "$run_dir"
cat >"$run_dir/shim.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len) {
    ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
C
x86_64-w64-mingw32-gcc -O2 -shared -o "$run_dir/bcryptprimitives.dll" "$run_dir/shim.c" -ladvapi32
cp "$exe" "$run_dir/"

step "Xvfb ($display), openbox and a new Wine prefix"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp &
pids+=($!)
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
openbox &
pids+=($!)
wineboot --init
wineserver -w

step "wine $exe (WGPU_BACKEND=$WGPU_BACKEND)"
(cd "$run_dir" && wine "./$(basename "$exe")") &
pids+=($!)
window=""
for _ in $(seq 90); do
  window="$(xdotool search --name "Recuperador" 2>/dev/null | tail -n 1 || true)"
  [ -n "$window" ] && break
  sleep 0.5
done
[ -n "$window" ] || { echo "FALHOU: no window after 45 s" >&2; exit 1; }
sleep 6
xprop -id "$window" _NET_WM_NAME
xdotool getwindowgeometry "$window"
mkdir -p "$(dirname "$screenshot")"
xwd -root -silent | convert xwd:- "$screenshot"
echo "screenshot: $screenshot (look at it: the app's window, or its message box)"
echo "wine smoke test done"
