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

# The shipped binaries are built with whole-program LTO in one codegen unit: on Linux x86-64
# the window's binary goes from 41.0 to 31.4 MB and the CLI's from 17.0 to 13.0 MB, at no cost
# at run time. It builds much slower (one long single-threaded link per binary), so only the
# packages use it; CI and `cargo run --release` keep the release profile of Cargo.toml.
# Debug info is stripped, symbols are kept: a panic's message, place and backtrace (with
# function names) stay as they are. `panic = "abort"` is not used: background tasks turn a
# panic into an error message (catch_unwind), which abort would make a crash.
export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-fat}"
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-1}"
export CARGO_PROFILE_RELEASE_STRIP="${CARGO_PROFILE_RELEASE_STRIP:-debuginfo}"

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
