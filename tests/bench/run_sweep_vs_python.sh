#!/usr/bin/env bash
# Task 1 + 2: the Rust sweep bench, then the sequential gen3-SDK script on the same kind of fleet
# (1,000 commons, every request answered after 20 ms), served by the bench binary in serve mode.
#
# usage: tests/bench/run_sweep_vs_python.sh        (from anywhere)
# env:   SWEEP_SIM=both|inproc|external  SWEEP_CONCURRENCY=48,128,256  SWEEP_RUNS=2  SAMPLE=50
#        SKIP_RUST=1 (only the Python part)
# Needs: /work/main/.venv with gen3==4.28.5 (tests/conformance/run.sh creates it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/tests/bench/results"
mkdir -p "$RESULTS"
BIN=$(cargo bench -p csoc-monitor --bench sweep --no-run 2>&1 | sed -n 's/.*Executable benches\/sweep.rs (\(.*\))/\1/p' | tail -1)
[ -x "$BIN" ] || { echo "bench binary not found"; exit 1; }
if [ -z "${SKIP_RUST:-}" ]; then
  SWEEP_SIM="${SWEEP_SIM:-both}" "$BIN" | tee "$RESULTS/sweep.txt"
fi

DIR=$(mktemp -d /tmp/csoc-sweep-fleet.XXXXXX)
SWEEP_BENCH_SERVE="$DIR" SWEEP_COMMONS=1000 SWEEP_DELAY_MS=20 "$BIN" < /dev/null > "$DIR/serve.out" 2>&1 &
SERVE_PID=$!
trap 'kill -TERM $SERVE_PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 300); do grep -q ready "$DIR/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$DIR/serve.out" || { echo "serve mode did not start"; cat "$DIR/serve.out"; exit 1; }
.venv/bin/python tests/bench/sequential_sdk.py "$DIR/fleet.json" --sample "${SAMPLE:-50}" --total 1000 \
  | tee "$RESULTS/sequential_sdk.txt"
