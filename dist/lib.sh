# shellcheck shell=bash disable=SC2034
# Shared by the dist/*/package.sh scripts: sourced, not run. The release workflow
# (.github/workflows/release.yml) runs the same scripts, so what is built here is built there.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The packages land here, ready to upload.
OUT="${DIST_OUT:-$ROOT/dist/out}"
mkdir -p "$OUT"

# Version and file names, used by the scripts that source this file.
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
APP="recuperador-followups"
CLI="recuperador-followups-cli"
PRODUCT="Recuperador Follow-ups"

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

# Where cargo puts its builds. This repository sets no build.target-dir in a .cargo/config, so
# CARGO_TARGET_DIR or ./target it is.
target_dir() {
  printf '%s\n' "${CARGO_TARGET_DIR:-$ROOT/target}"
}

# cargo-packager builds the .deb, .app, .dmg, AppImage and NSIS installer.
ensure_cargo_packager() {
  if ! cargo packager --version >/dev/null 2>&1; then
    step "Installing cargo-packager"
    cargo install cargo-packager --locked
  fi
  cargo packager --version
}
