#!/usr/bin/env bash
# Builds the Linux packages into dist/out/:
#   - recuperador-followups_<version>_amd64.deb (cargo-packager), Debian 12 / Ubuntu 22.04 and later;
#   - recuperador-followups-<version>-linux-x86_64.tar.gz, a portable folder with an installer
#     script for the user's home (no root needed).
# PACKAGER_FORMATS=deb,appimage adds the AppImage: cargo-packager downloads linuxdeploy for it,
# so it only builds where the network is open (the release workflow).
# shellcheck source=dist/lib.sh
source "$(dirname "$0")/../lib.sh"

formats="${PACKAGER_FORMATS:-deb}"
arch="$(uname -m)"

ensure_cargo_packager

step "Release build"
cargo build --release --locked --bins
release="$(target_dir)/release"

step "cargo packager --formats $formats"
# Only the packages made by this run are copied: stale ones from older versions stay behind.
rm -f "$release"/*.deb "$release"/*.AppImage
cargo packager --release --formats "$formats"
for f in "$release"/*.deb "$release"/*.AppImage; do
  [ -e "$f" ] && cp -v "$f" "$OUT/"
done

step "Portable tarball"
name="$APP-$VERSION-linux-$arch"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dir="$stage/$name"
install -Dm755 "$release/$APP" "$dir/bin/$APP"
install -Dm755 "$release/$CLI" "$dir/bin/$CLI"
install -Dm644 "dist/linux/$APP.desktop" "$dir/share/applications/$APP.desktop"
for png in assets/icon/"$APP"-*.png; do
  size="${png##*-}"
  size="${size%.png}"
  install -Dm644 "$png" "$dir/share/icons/hicolor/${size}x${size}/apps/$APP.png"
done
install -Dm755 dist/linux/instalar.sh "$dir/instalar.sh"
install -Dm644 dist/linux/LEIA-ME.txt "$dir/LEIA-ME.txt"
tar -C "$stage" -czf "$OUT/$name.tar.gz" "$name"

step "Packages in $OUT"
ls -l "$OUT"
