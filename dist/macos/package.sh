#!/usr/bin/env bash
# Builds the macOS packages into dist/out/ (on a Mac only: the binaries are linked with Apple's
# SDK, which no other system has):
#   - Recuperador Follow-ups_<version>_<arch>.dmg (cargo-packager: the .app with its
#     Info.plist and icon, and a link to Applications);
#   - recuperador-followups-<version>-macos-<arch>.app.zip, the same .app zipped.
# Neither is signed nor notarised: the first start needs right-click > Abrir (README).
# shellcheck source=dist/lib.sh
source "$(dirname "$0")/../lib.sh"

if [ "$(uname -s)" != Darwin ]; then
  echo "dist/macos/package.sh runs on macOS only (the release workflow's macos-latest)." >&2
  exit 1
fi
formats="${PACKAGER_FORMATS:-app,dmg}"
arch="$(uname -m)"

ensure_cargo_packager

step "Release build"
cargo build --release --locked --bins
release="$(target_dir)/release"

step "cargo packager --formats $formats"
rm -rf "$release/$PRODUCT.app" "$release"/*.dmg
cargo packager --release --formats "$formats"
cp -v "$release"/*.dmg "$OUT/"
# ditto keeps the bundle's permissions and extended attributes, which zip would lose.
ditto -c -k --keepParent "$release/$PRODUCT.app" "$OUT/$APP-$VERSION-macos-$arch.app.zip"

step "Packages in $OUT"
ls -l "$OUT"
