#!/bin/sh
# Writes a table with floe's commits (append ×3, then replace) into a SQLite catalog in a temp
# warehouse and has the oracle check all of it, down to the rows of every live file.
set -eu
WRITER="$1"
WAREHOUSE=$(mktemp -d "${TMPDIR:-/tmp}/floe-commit-interop-XXXXXX")
ROWS=$("$WRITER" "$WAREHOUSE")
node "$FLOE_ORACLE/check-table.mjs" --catalog-db "$WAREHOUSE/catalog.db" --table ns.events \
  --deep --sql "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t" > "$WAREHOUSE/check.json"
cat "$WAREHOUSE/check.json"
grep -Eq "\"n\": *\"?$ROWS\"?," "$WAREHOUSE/check.json" || { echo "expected $ROWS rows"; exit 1; }
rm -rf "$WAREHOUSE"
