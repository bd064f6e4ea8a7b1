#!/bin/sh
# Writes a table with floe's commits (append ×3, then replace) into a SQLite catalog in a temp
# warehouse and has the oracle check all of it, down to the rows of every live file; then icebird
# (another reader) reads the whole table over HTTP (check-icebird.mjs serves the table folder on a
# free loopback port) and must count the same rows.
set -eu
WRITER="$1"
WAREHOUSE=$(mktemp -d "${TMPDIR:-/tmp}/floe-commit-interop-XXXXXX")
ROWS=$("$WRITER" "$WAREHOUSE")
node "$FLOE_ORACLE/check-table.mjs" --catalog-db "$WAREHOUSE/catalog.db" --table ns.events \
  --deep --sql "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t" > "$WAREHOUSE/check.json"
cat "$WAREHOUSE/check.json"
grep -Eq "\"n\": *\"?$ROWS\"?," "$WAREHOUSE/check.json" || { echo "expected $ROWS rows"; exit 1; }

METADATA=$(sqlite3 "$WAREHOUSE/catalog.db" \
  "SELECT metadata_location FROM iceberg_tables WHERE table_namespace = 'ns' AND table_name = 'events'")
[ -n "$METADATA" ] || { echo "ns.events is not in the catalog"; exit 1; }
node "$FLOE_ORACLE/check-icebird.mjs" "$WAREHOUSE/ns/events" "$(basename "$METADATA")" \
  > "$WAREHOUSE/icebird.json" || true
cat "$WAREHOUSE/icebird.json"
grep -Eq "\"ok\": *true" "$WAREHOUSE/icebird.json" || { echo "icebird could not read the table"; exit 1; }
grep -Eq "\"rows\": *$ROWS[,}]" "$WAREHOUSE/icebird.json" ||
  { echo "icebird read a different row count (expected $ROWS)"; exit 1; }
rm -rf "$WAREHOUSE"
