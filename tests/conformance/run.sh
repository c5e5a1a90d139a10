#!/usr/bin/env bash
# Conformance: the real gen3 Python SDK against the gen3-sim fleet simulator, and Gen3's own
# validators (gen3users, gen3utils) on the files the app renders.
# Usage: tests/conformance/run.sh [pytest args...]   (from anywhere; builds gen3-sim if needed)
# The files validated are those `gen3-csoc commons render` writes from every wizard answers fixture
# (GEN3_CSOC_BIN, default target/debug/gen3-csoc); or set GEN3_CSOC_RENDERED to a folder of your own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/conformance/requirements.txt
if [ ! -x .venv-validators/bin/python ]; then
  python3 -m venv .venv-validators
fi
.venv-validators/bin/pip install --quiet --disable-pip-version-check -r tests/conformance/requirements-validators.txt
export GEN3USERS_BIN="${GEN3USERS_BIN:-$ROOT/.venv-validators/bin/gen3users}"
export GEN3UTILS_BIN="${GEN3UTILS_BIN:-$ROOT/.venv-validators/bin/gen3utils}"
if [ -z "${GEN3_SIM_BIN:-}" ]; then
  cargo build --quiet -p gen3-sim
  export GEN3_SIM_BIN="$ROOT/target/debug/gen3-sim"
fi
CSOC_BIN="${GEN3_CSOC_BIN:-$ROOT/target/debug/gen3-csoc}"
if [ -z "${GEN3_CSOC_RENDERED:-}" ] && [ -x "$CSOC_BIN" ]; then
  GEN3_CSOC_RENDERED="$(mktemp -d)"
  export GEN3_CSOC_RENDERED
  for answers in src-tauri/crates/csoc-deploy/tests/fixtures/wizard/*.yaml docs/examples/*.yaml docs/examples/mesh/hub-commons.yaml; do
    name="$(basename "$(dirname "$answers")")-$(basename "$answers" .yaml)"
    "$CSOC_BIN" --data-dir "$GEN3_CSOC_RENDERED/.data" commons render "$answers" --out "$GEN3_CSOC_RENDERED/$name" >/dev/null
  done
  rm -rf "$GEN3_CSOC_RENDERED/.data"
fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider tests/conformance/test_sdk.py \
  tests/conformance/test_validators.py "$@"
