#!/usr/bin/env bash
# The copied table pasted into a real spreadsheet: installs LibreOffice Calc (headless, no GUI
# libraries) when it is missing, then runs the ignored test in tests/tsv.rs, which has Calc
# import the window's TSV text the way a paste does (tab, `"`, UTF-8, pt-BR, dates detected,
# formulas evaluated) and reads the result back: one row per follow-up, the CPF/CNPJ a text
# cell, no formula cell, dates as shown.
#
# The last step of .ci/run (56 packages, about 90 MB to download and 210 MB installed:
# about 40 s here, then 2 s for the check itself); it also runs by hand.
# Runs as root (CI) to install; otherwise it needs `soffice` on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/recuperador-followups-target}"
export CARGO_TERM_COLOR=never

if ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "soffice is missing: run as root to install libreoffice-calc-nogui" >&2
    exit 1
  fi
  started=$SECONDS
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui >/dev/null
  echo "LibreOffice installed in $((SECONDS - started)) s"
fi
soffice --version

started=$SECONDS
cargo test --locked --test tsv -- --ignored --nocapture
echo "LibreOffice paste check took $((SECONDS - started)) s"
