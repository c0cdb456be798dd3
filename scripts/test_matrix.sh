#!/usr/bin/env bash
# The suite on several Python + Django pairs, each in its own venv under .matrix/<pair>/.
# Usage: scripts/test_matrix.sh PYENV_VERSIONS_DIR PAIR... (a pair is PY-DJANGO, e.g. 3.13-6.1)
# A venv is created once and installed into again when pyproject.toml is newer than its stamp;
# a missing interpreter fails its pair with a message. Every pair runs, the summary lists each
# one, and the exit status is 1 if any pair failed.
set -uo pipefail
cd "$(dirname "$0")/.."
VERSIONS=${1:?usage: scripts/test_matrix.sh PYENV_VERSIONS_DIR PAIR...}
shift
[ "$#" -gt 0 ] || { echo "no pairs given" >&2; exit 2; }

# The newest installed patch release of Python $1 (e.g. 3.12 -> .../3.12.1/bin/python3.12).
interpreter() {
  local found
  found=$(ls -d "$VERSIONS/$1".* 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && [ -x "$found/bin/python$1" ] && echo "$found/bin/python$1"
}

# Creates or refreshes .matrix/$1 with interpreter $2 and Django ~= $3.0.
install_pair() {
  local venv=".matrix/$1"
  if [ -f "$venv/.installed" ] && [ "$venv/.installed" -nt pyproject.toml ]; then
    return 0
  fi
  { [ -x "$venv/bin/python" ] || "$2" -m venv "$venv"; } &&
    "$venv/bin/pip" install --quiet --upgrade pip &&
    "$venv/bin/pip" install --quiet -e ".[test]" "Django~=$3.0" &&
    touch "$venv/.installed"
}

# Runs pytest for one pair; prints a summary line to $SUMMARY.
run_pair() {
  local pair=$1 python=${1%-*} django=${1#*-} exe start status line
  exe=$(interpreter "$python") || {
    echo "$pair: Python $python is missing (looked in $VERSIONS/$python.*)" | tee -a "$SUMMARY"
    return 1
  }
  echo "== $pair: $exe, Django ~= $django.0"
  install_pair "$pair" "$exe" "$django" || {
    echo "$pair: installing into .matrix/$pair failed" | tee -a "$SUMMARY"
    return 1
  }
  start=$(date +%s)
  ".matrix/$pair/bin/python" -m pytest -q 2>&1 | tee ".matrix/$pair.log"
  status=${PIPESTATUS[0]}
  line=$(grep -E ' in [0-9.]+s( \(|$)' ".matrix/$pair.log" | tail -n 1)
  echo "$pair: Django $(".matrix/$pair/bin/python" -m django --version), exit $status," \
    "$(( $(date +%s) - start ))s: ${line:-no pytest summary}" >> "$SUMMARY"
  return "$status"
}

SUMMARY=$(mktemp)
trap 'rm -f "$SUMMARY"' EXIT
failed=0
for pair in "$@"; do
  run_pair "$pair" || failed=1
done
echo
echo "== test-matrix summary"
cat "$SUMMARY"
exit "$failed"
