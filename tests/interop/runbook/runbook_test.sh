#!/bin/bash
# Issue 6, must-show 4: the seed's runbook step by step against a running `floe serve`. Every
# ```bash runbook block of docs/runbook.md runs, in order, and must succeed: list files and sizes
# of analytics/events/data/, trigger compaction with the seed's curl bodies, follow it in the
# JSON logs, validate the metadata. Then the table must have fewer files, the same rows, and pass
# fsck.
set -u
: "${FLOE_BIN:?}" "${FLOE_SOURCE:?}" "${FLOE_SHARED:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/floe-runbook-XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  if [ "${keep:-0}" = 0 ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; keep=1; exit 1; }

mkdir -p "$work/bin" && ln -s "$FLOE_BIN" "$work/bin/floe"
export PATH="$work/bin:$PATH"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export FLOE_URL="http://127.0.0.1:$port"
export ADMIN_TOKEN="runbook-$RANDOM-$RANDOM"
export FLOE_WAREHOUSE="$work/warehouse"
export FLOE_STATE_DIR="$work/state"
export FLOE_LOG="$work/floe.log"
# A small threshold, so a few flushes make a backlog.
export COMPACTION_THRESHOLD=8
cd "$work"

floe serve --listen "127.0.0.1:$port" 2> "$FLOE_LOG" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "$FLOE_URL/health" >/dev/null && break
  sleep 0.1
done
curl -sf "$FLOE_URL/health" >/dev/null || { cat "$FLOE_LOG"; fail "floe serve did not start"; }

# Small files: 24 flushes of 100 events of one day each.
python3 "$FLOE_SHARED/bench/gen_events.py" --events 2400 --span-hours 6 --seed 7 > events.ndjson \
  || fail "gen_events.py"
split -l 100 events.ndjson batch-
for f in batch-*; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$FLOE_URL/v1/events" \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$f")
  [ "$code" = 202 ] || fail "ingest of $f answered $code"
  curl -sf -X POST "$FLOE_URL/admin/flush" -H "Authorization: Bearer $ADMIN_TOKEN" >/dev/null \
    || fail "flush"
done
files_before=$(floe stats --table analytics.events --json | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["totals"]["data_files"])') || fail "stats"
[ "$files_before" -ge 16 ] || fail "expected many small files, have $files_before"

# The runbook's blocks, in order.
python3 - "$FLOE_SOURCE/docs/runbook.md" > blocks.txt <<'PY'
import sys, re
text = open(sys.argv[1]).read()
blocks = re.findall(r"```bash runbook\n(.*?)```", text, re.S)
print("\0".join(blocks), end="")
PY
count=0
while IFS= read -r -d '' block || [ -n "$block" ]; do
  count=$((count + 1))
  if ! out=$(bash -e -c "$block" 2>&1); then
    echo "--- runbook block $count failed:"; echo "$block"; echo "--- output:"; echo "$out"
    echo "--- server log (tail):"; tail -n 30 "$FLOE_LOG"
    fail "runbook block $count"
  fi
  echo "runbook block $count ok ($(echo "$block" | grep -v '^ *#' | head -n 1 | cut -c1-70))"
done < blocks.txt
[ "$count" -ge 10 ] || fail "found only $count runbook blocks"

# What the runbook did: compaction ran (logged), the table has fewer files, every event is there
# once, and fsck finds nothing wrong.
grep -q '"event":"compaction.finish"' "$FLOE_LOG" || fail "no compaction.finish in the log"
stats=$(floe stats --table analytics.events --json) || fail "stats after"
files_after=$(echo "$stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["data_files"])')
records=$(echo "$stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["records"])')
[ "$files_after" -lt "$files_before" ] || fail "files: $files_before before, $files_after after"
[ "$records" = 2400 ] || fail "records: $records, expected 2400"
floe fsck --table analytics.events --json > fsck.json || { cat fsck.json; fail "fsck"; }
echo "PASS: $count runbook blocks; data files $files_before -> $files_after; $records records"
