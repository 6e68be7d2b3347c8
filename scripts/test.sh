#!/usr/bin/env bash
# The whole check: lint, types, migrations, then the test suite on SQLite and, when a
# PostgreSQL server is given (TEST_DATABASE_URL, as .ci/run does), on PostgreSQL too.
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
PY=.venv/bin
export SUPPORTDESK_DATA_DIR=${SUPPORTDESK_DATA_DIR:-$(mktemp -d /tmp/supportdesk-check-XXXXXX)}
export DJANGO_SETTINGS_MODULE=supportdesk.config.test_settings

echo "== ruff"
$PY/ruff check .
$PY/ruff format --check .
echo "== mypy"
$PY/mypy supportdesk
echo "== migrations are up to date"
$PY/python -m django makemigrations --check --dry-run
echo "== translations are compiled"
$PY/python scripts/check_translations.py

JOBS=${PYTEST_JOBS:-2}
echo "== tests on SQLite"
$PY/pytest -n "$JOBS" -m "not postgresql" "$@"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== tests on PostgreSQL"
  DATABASE_URL=$TEST_DATABASE_URL $PY/pytest -n "$JOBS" -m "not sqlite" "$@"
else
  echo "== PostgreSQL pass not run: set TEST_DATABASE_URL=postgres://user:pass@127.0.0.1/db to run it"
fi
