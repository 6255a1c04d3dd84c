#!/usr/bin/env bash
# Runs a command with an unlocked GNOME Keyring (Secret Service) on the current session bus.
# Use inside a private bus: dbus-run-session -- tests/keyring/with-secret-service.sh CMD...
# Needs: dbus, gnome-keyring.
set -euo pipefail
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || { echo "no session bus: run under dbus-run-session" >&2; exit 2; }
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
# A throwaway keyring folder (GNOME Keyring keeps keyrings under $XDG_DATA_HOME/keyrings).
export XDG_DATA_HOME=${KEYRING_DATA_HOME:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"
# The throwaway keyring's password comes on stdin; --unlock creates and unlocks "login".
eval "$(printf 'ci-password' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
"$@"
