#!/usr/bin/env bash
# Conformance: the real gen3 Python SDK against the gen3-sim fleet simulator.
# Usage: tests/conformance/run.sh [pytest args...]   (from anywhere; builds gen3-sim if needed)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/conformance/requirements.txt
if [ -z "${GEN3_SIM_BIN:-}" ]; then
  cargo build --quiet -p gen3-sim
  export GEN3_SIM_BIN="$ROOT/target/debug/gen3-sim"
fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider tests/conformance/test_sdk.py "$@"
