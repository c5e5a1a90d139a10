#!/usr/bin/env bash
# A sweep under a desktop's usual soft open-files limit (1024 on Linux, 256 on macOS).
# The bench's simulator child keeps the shell's limit; only the sweep process is lowered (prlimit),
# after it has started the child and before the sweep begins.
#
# usage: [SWEEP_CONCURRENCY=48] tests/bench/nofile_limit.sh [COMMONS=1000] [SOFT_LIMIT=1024]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
N="${1:-1000}"
LIMIT="${2:-1024}"
BIN=$(cargo bench -p csoc-monitor --bench sweep --no-run 2>&1 | sed -n 's/.*Executable benches\/sweep.rs (\(.*\))/\1/p' | tail -1)
OUT=$(mktemp)
SWEEP_COMMONS="$N" SWEEP_SIM=external SWEEP_CONCURRENCY="${SWEEP_CONCURRENCY:-48}" SWEEP_RUNS=1 "$BIN" > "$OUT" 2>&1 &
P=$!
for _ in $(seq 1 400); do pgrep -P "$P" > /dev/null && break; sleep 0.02; done
prlimit --nofile="$LIMIT":"$(ulimit -Hn)" --pid "$P"
wait "$P" || true
echo "soft RLIMIT_NOFILE of the sweep process: $LIMIT; $N commons"
grep -v '^http_client' "$OUT"
rm -f "$OUT"
