#!/usr/bin/env bash
# pytest under coverage (the daphne children included, see [tool.coverage] in pyproject.toml),
# then `coverage combine` + `coverage report`, which fails below fail_under.
# Usage: scripts/test_with_coverage.sh PYTHON [pytest args...]
# Exit: pytest's status if the tests failed, else the report's (2 below the floor).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${1:?usage: scripts/test_with_coverage.sh PYTHON [pytest args...]}
shift
rm -rf .coverage-data
"$PY" -m coverage run -m pytest -q "$@"
tests=$?
"$PY" -m coverage combine --quiet || exit 1
"$PY" -m coverage report
report=$?
if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$report"
