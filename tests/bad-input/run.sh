#!/usr/bin/env bash
# The bad-input corpus through the headless commands: each case in cases.txt must exit 1 within
# a bound, say `error: ` with words naming the problem, and leave the cache exactly as it was
# (the inventory list and the wizard drafts, compared before and after).
# Usage: tests/bad-input/run.sh   (GEN3_CSOC_BIN, default target/debug/gen3-csoc)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${GEN3_CSOC_BIN:-$ROOT/target/debug/gen3-csoc}"
[ -x "$BIN" ] || { echo "no $BIN: build it first (cargo build -p gen3-csoc)" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Files that git cannot hold, or that must point outside a folder, are made here.
special() {
  case "$1" in
    @fifo) mkfifo "$WORK/pipe.json"; echo "$WORK/pipe.json" ;;
    @dev-zero) ln -s /dev/zero "$WORK/zero.yaml"; echo "$WORK/zero.yaml" ;;
    @folder) mkdir -p "$WORK/a-folder.json"; echo "$WORK/a-folder.json" ;;
    @huge) truncate -s 5G "$WORK/huge.json"; echo "$WORK/huge.json" ;;
    @missing) echo "$WORK/no-such-file.json" ;;
    @outward-link)
      local c="$WORK/repo/unfunded/link.example.org"
      mkdir -p "$c/values" "$WORK/outside"
      printf 'apiVersion: v2\nname: link.example.org\nversion: 0.1.0\n' >"$c/Chart.yaml"
      printf 'global:\n  hostname: link.example.org\n' >"$c/values/values.yaml"
      printf 'global:\n  kubeconfig: OUTSIDE\n' >"$WORK/outside/kubeconfig"
      ln -s "$WORK/outside/kubeconfig" "$c/values/fence.yaml"
      echo "$c" ;;
    *) echo "unknown special $1" >&2; exit 2 ;;
  esac
}

# A cache holding one commons, so "unchanged" is checked against something.
DATA="$WORK/data"
printf '%s' '{"format": "gen3-csoc-inventory", "version": 1, "exported_at": 0, "commons": [{"id": "seed",
  "name": "Seed", "base_url": "https://seed.example.org", "environment": "dev", "relation": "we_run_it",
  "deployment": {"kind": "unknown"}, "created_at": 0, "updated_at": 0}]}' >"$WORK/seed.json"
"$BIN" --data-dir "$DATA" inventory import "$WORK/seed.json" >/dev/null
snapshot() {
  "$BIN" --data-dir "$DATA" inventory list --json
  "$BIN" --data-dir "$DATA" status --json | grep -v '"read_at"' || true
}
before="$(snapshot)"

failed=0
n=0
while IFS='|' read -r command file words; do
  command="$(echo "$command" | xargs)"
  file="$(echo "$file" | xargs)"
  words="$(echo "$words" | sed 's/^ *//; s/ *$//')"
  [ -z "$command" ] || [ "${command:0:1}" = "#" ] && continue
  n=$((n + 1))
  rm -rf "$WORK/pipe.json" "$WORK/zero.yaml" "$WORK/a-folder.json" "$WORK/huge.json" "$WORK/repo" "$WORK/outside"
  case "$file" in @*) path="$(special "$file")" ;; *) path="$HERE/files/$file" ;; esac
  extra=()
  [ "$command" = "commons render" ] && extra=(--out "$WORK/rendered")
  set +e
  # shellcheck disable=SC2086
  out="$(timeout 10 "$BIN" --data-dir "$DATA" $command "$path" "${extra[@]}" 2>&1 >/dev/null)"
  code=$?
  set -e
  problem=""
  if [ "$code" -ne 1 ]; then
    problem="exit code $code (want 1)"
  elif [[ "$out" != error:* ]]; then
    problem="no 'error: ' line"
  elif [[ "$out" != *"$words"* ]]; then
    problem="message lacks '$words'"
  elif [ "${#out}" -gt 3000 ]; then
    problem="message is ${#out} bytes long"
  elif [ "$(snapshot)" != "$before" ]; then
    problem="the cache changed"
  fi
  if [ -n "$problem" ]; then
    failed=$((failed + 1))
    echo "FAIL $command $file: $problem" >&2
    echo "     said: ${out:0:400}" >&2
  else
    echo "ok   $command $file"
  fi
done <"$HERE/cases.txt"

[ "$(stat -c %a "$DATA")" = 700 ] || { echo "FAIL the data folder is not 0700" >&2; failed=$((failed + 1)); }
[ "$(stat -c %a "$DATA/cache.sqlite3")" = 600 ] || { echo "FAIL the cache is not 0600" >&2; failed=$((failed + 1)); }
echo "$n bad inputs, $failed failed"
[ "$failed" -eq 0 ]
