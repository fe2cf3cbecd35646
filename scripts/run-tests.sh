#!/usr/bin/env bash
# Installs what is needed, then runs every check: lint, types, import contracts, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
echo "== ruff"
.venv/bin/ruff check mukta_desktop mukta_server tests bench
echo "== mypy"
.venv/bin/mypy mukta_desktop mukta_server bench
echo "== import contracts"
.venv/bin/lint-imports
echo "== pytest"
# Two workers (the CI machine has two cores); a test file stays on one worker.
.venv/bin/pytest -n "${MUKTA_TEST_WORKERS:-auto}" --dist loadfile "$@"
