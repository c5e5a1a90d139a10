#!/usr/bin/env bash
# Memory of the real app over an hour, on 100 simulated commons swept every 5 s.
#
# usage: tests/bench/memory_hour.sh            (from the repo root; takes DURATION_S, default 3600)
# env:   DURATION_S=3600 INTERVAL_S=60 OUT=tests/bench/results/memory-hour.csv
#        APP=target/debug/gen3-csoc SIM=target/debug/gen3-sim WORK=<temp dir>
# Needs: target/debug/gen3-csoc built with --features custom-protocol (the UI embedded), target/debug/gen3-sim,
#        xvfb-run, python3. Run it in the background: nohup tests/bench/memory_hour.sh > /tmp/mem.log 2>&1 &
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
DURATION_S="${DURATION_S:-3600}"
INTERVAL_S="${INTERVAL_S:-60}"
OUT="${OUT:-$ROOT/tests/bench/results/memory-hour.csv}"
WORK="${WORK:-$(mktemp -d /tmp/csoc-mem-hour.XXXXXX)}"
SIM="${SIM:-$ROOT/target/debug/gen3-sim}"
APP_SRC="${APP:-$ROOT/target/debug/gen3-csoc}"
mkdir -p "$WORK/fleet" "$WORK/data" "$(dirname "$OUT")"
# Run a private copy so a rebuild of target/debug during the hour does not matter.
cp "$APP_SRC" "$WORK/gen3-csoc"
APP="$WORK/gen3-csoc"
echo "work dir: $WORK"

"$SIM" --fleet 100 --out "$WORK/fleet" > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
APP_PID=""
XVFB_PID=""
cleanup() {
  [ -n "$APP_PID" ] && kill -TERM "$APP_PID" 2>/dev/null || true
  sleep 2
  [ -n "$XVFB_PID" ] && kill -TERM "$XVFB_PID" 2>/dev/null || true
  kill -TERM "$SIM_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 300); do grep -q ready "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$WORK/sim.out" || { echo "gen3-sim did not start"; cat "$WORK/sim.err"; exit 1; }

python3 "$ROOT/tests/bench/make_inventory.py" "$WORK/fleet/fleet.json" "$WORK/inventory.json"
"$APP" --data-dir "$WORK/data" inventory import "$WORK/inventory.json"
python3 - "$WORK/data/cache.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('monitor', ?)",
           ('{"interval_secs":5,"notifications":false,"cert_warn_days":[30,14,7,1],"key_warn_days":[7,1]}',))
db.commit()
print("commons in cache:", db.execute("SELECT count(*) FROM commons").fetchone()[0])
PY

WEBKIT_DISABLE_DMABUF_RENDERER=1 xvfb-run -a -s "-screen 0 1280x800x24" \
  "$APP" --data-dir "$WORK/data" > "$WORK/app.out" 2> "$WORK/app.err" &
XVFB_PID=$!
# xvfb-run is a shell script; the app is its child. Find it by executable path.
for _ in $(seq 1 100); do
  for c in $(cat /proc/$XVFB_PID/task/*/children 2>/dev/null); do
    if [ "$(readlink /proc/$c/exe 2>/dev/null)" = "$APP" ]; then APP_PID=$c; fi
  done
  [ -n "$APP_PID" ] && break
  sleep 0.1
done
[ -n "$APP_PID" ] || { echo "app did not start"; cat "$WORK/app.err"; exit 1; }
echo "app pid: $APP_PID (xvfb-run pid $XVFB_PID, sim pid $SIM_PID)"
echo "$APP_PID" > "$WORK/app.pid"

python3 "$ROOT/tests/bench/sample_memory.py" "$APP_PID" "$WORK/data/cache.sqlite3" "$OUT" "$INTERVAL_S" "$DURATION_S"

kill -TERM "$APP_PID" 2>/dev/null || true
for _ in $(seq 1 100); do [ -e "/proc/$APP_PID" ] || break; sleep 0.1; done
APP_PID=""
python3 - "$WORK/data/cache.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("probe_samples", "probe_hourly", "state_changes", "commons_status"):
    try:
        print(t, db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
    except sqlite3.Error as e:
        print(t, e)
PY
python3 "$ROOT/tests/bench/memory_slope.py" "$OUT" 5 60
echo "app log: $WORK/data/logs/ (stderr: $WORK/app.err); data: $WORK/data"
