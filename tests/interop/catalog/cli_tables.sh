#!/usr/bin/env bash
# Issue 3 must-show 3: tables made with the floe CLI are rows of the JDBC catalog layout, so
# `sqlite3 <warehouse>/catalog.db 'select * from iceberg_tables'` shows each with its current
# metadata_location (the file floe tables reports, which exists), also after a commit moved it,
# and a dropped table's row is gone.
set -euo pipefail
FLOE_BIN=${FLOE_BIN:?FLOE_BIN names the floe binary}
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing (scripts/install-deps.sh)"; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/floe-cli-tables-XXXXXX")
trap 'rm -rf "$dir"' EXIT
wh="$dir/warehouse"
fail() { echo "FAIL: $*"; exit 1; }

"$FLOE_BIN" create-table --warehouse "$wh" --table web.clicks \
  --columns "id:long:required,ts:timestamptz,name:string" --partition "day(ts),bucket(16,id)" --sort ts
"$FLOE_BIN" create-table --warehouse "$wh" --table org.team.metrics --columns "k:string,v:double"
"$FLOE_BIN" create-table --warehouse "$wh" --table analytics.events \
  --columns "event_id:string:required,timestamp:timestamptz:required,type:string:required" \
  --partition "day(timestamp)"
"$FLOE_BIN" create-table --warehouse "$wh" --table tmp.scratch --columns "x:int"
"$FLOE_BIN" drop-table --warehouse "$wh" --table tmp.scratch --purge

# A commit moves analytics.events to its second metadata file.
printf '%s\n' '{"event_id":"e1","timestamp":"2026-01-01T00:00:00Z","type":"click"}' \
  '{"event_id":"e2","timestamp":"2026-01-02T00:00:00Z","type":"view"}' > "$dir/events.ndjson"
"$FLOE_BIN" ingest "$dir/events.ndjson" --warehouse "$wh" --state-dir "$dir/state" >/dev/null

rows=$(sqlite3 -separator '|' "$wh/catalog.db" \
  'select table_namespace, table_name, metadata_location from iceberg_tables order by 1, 2')
echo "$rows"
[ "$(echo "$rows" | wc -l)" = 3 ] || fail "expected 3 rows, got: $rows"
echo "$rows" | grep -q '^tmp|' && fail "dropped table still listed"

listing=$("$FLOE_BIN" tables --warehouse "$wh" --json)
for id in web.clicks org.team.metrics analytics.events; do
  ns=${id%.*}; name=${id##*.}
  location=$(echo "$rows" | awk -F'|' -v ns="$ns" -v name="$name" '$1 == ns && $2 == name { print $3 }')
  [ -n "$location" ] || fail "$id has no row"
  [ -f "${location#file://}" ] || fail "$id: metadata file $location missing"
  expected=$(echo "$listing" | python3 -c "
import json, sys
for ns in json.load(sys.stdin)['namespaces']:
    for t in ns['tables']:
        if t['table'] == '$id': print(t['metadata_location'])")
  [ "$location" = "$expected" ] || fail "$id: catalog row $location, floe tables says $expected"
done
events=$(echo "$rows" | awk -F'|' '$1 == "analytics" { print $3 }')
case "$events" in */00001-*.metadata.json) ;; *) fail "analytics.events not at its 2nd metadata: $events" ;; esac
[ -z "$(find "$wh/tmp" -type f 2>/dev/null)" ] || fail "purged table left files: $(find "$wh/tmp" -type f)"
echo "PASS"
