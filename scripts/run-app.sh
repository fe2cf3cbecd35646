#!/usr/bin/env bash
# Installs what is needed, then starts MUKTA Desktop on its embedded SQLite database.
# Without a display it starts a virtual one (Xvfb). Extra arguments go to mukta-desktop.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && "${QT_QPA_PLATFORM:-}" != "offscreen" ]]; then
  exec xvfb-run -a .venv/bin/mukta-desktop "$@"
fi
exec .venv/bin/mukta-desktop "$@"
