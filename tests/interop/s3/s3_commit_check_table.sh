#!/bin/sh
# The table of iceberg_commit_table_interop (append ×3, then replace) written to an s3rver through
# S3Store (warehouse s3://lake/wh, SQLite catalog beside), then checked deeply by the oracle from
# s3rver's storage folder.
set -eu
WRITER="$1"
. "$(dirname "$0")/s3rver.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/floe-s3-interop-XXXXXX")
start_s3rver "$WORK" lake
ROWS=$("$WRITER" s3://lake/wh "$WORK/catalog.db")
TABLE="$WORK/copy/ns/events"
copy_out "$WORK" lake/wh/ns/events "$TABLE"
echo "objects in s3rver: $(find "$TABLE" -type f | wc -l)"
node "$FLOE_ORACLE/check-table.mjs" --table-dir "$TABLE" --deep \
  --sql "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t" > "$WORK/check.json" || {
  cat "$WORK/check.json"; exit 1; }
cat "$WORK/check.json"
grep -Eq "\"n\": *\"?$ROWS\"?," "$WORK/check.json" || { echo "expected $ROWS rows"; exit 1; }
grep -Eq "\"ids\": *\"?$ROWS\"?" "$WORK/check.json" || { echo "expected $ROWS distinct ids"; exit 1; }
