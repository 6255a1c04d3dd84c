#!/usr/bin/env bash
# Builds the Windows packages into dist/out/:
#   - recuperador-followups-<version>-windows-x86_64-portable.zip: both .exe files (icon and
#     version info embedded by build.rs) and LEIA-ME.txt; nothing to install, no extra DLLs;
#   - on Windows, also the NSIS installer (cargo-packager; it downloads NSIS, so only where the
#     network is open: the release workflow). PACKAGER_FORMATS= (empty) skips it.
# On Linux it cross-compiles for x86_64-pc-windows-gnu with Debian's mingw-w64 (installed here
# when missing and running as root); on Windows it builds natively (MSVC).
# shellcheck source=dist/lib.sh
source "$(dirname "$0")/../lib.sh"

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) host=windows ;;
  *) host=other ;;
esac

if [ "$host" = windows ]; then
  target=""
  formats="${PACKAGER_FORMATS-nsis}"
else
  target="${WINDOWS_TARGET:-x86_64-pc-windows-gnu}"
  formats=""
  step "Cross toolchain ($target)"
  if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        gcc-mingw-w64-x86-64
    else
      echo "x86_64-w64-mingw32-gcc missing: apt-get install gcc-mingw-w64-x86-64" >&2
      exit 1
    fi
  fi
  rustup target add "$target"
fi

step "Release build${target:+ for $target}"
cargo build --release --locked --bins ${target:+--target "$target"}
release="$(target_dir)/${target:+$target/}release"

step "Portable zip"
name="$APP-$VERSION-windows-x86_64-portable"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name"
cp "$release/$APP.exe" "$release/$CLI.exe" "$stage/$name/"
# Windows' Notepad reads UTF-8, but CRLF keeps older editors happy.
sed 's/$/\r/' dist/windows/LEIA-ME.txt >"$stage/$name/LEIA-ME.txt"
rm -f "$OUT/$name.zip"
python="$(command -v python3 || command -v python)"
(cd "$stage" && "$python" -m zipfile -c "$OUT/$name.zip" "$name")

if [ -n "$formats" ]; then
  ensure_cargo_packager
  step "cargo packager --formats $formats"
  rm -f "$release"/*-setup.exe
  cargo packager --release --formats "$formats"
  cp -v "$release"/*-setup.exe "$OUT/"
fi

step "Packages in $OUT"
ls -l "$OUT"
