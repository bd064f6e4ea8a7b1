#!/bin/sh
# Compaction on s3rver: FILES (default 200) small files of one day in analytics.events, one forced
# compaction through S3Store; prints the requests it sent per input file, then the oracle checks
# the compacted table deeply from s3rver's storage folder (same rows, no row lost or doubled).
set -eu
COMPACT="$1"
FILES="${2:-200}"
. "$(dirname "$0")/s3rver.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/floe-s3-compact-XXXXXX")
start_s3rver "$WORK" lake
REPORT=$("$COMPACT" s3://lake/wh "$WORK/catalog.db" "$FILES")
echo "$REPORT"
ROWS=$(echo "$REPORT" | sed -n 's/.*"rows":\([0-9]*\).*/\1/p')
TABLE="$WORK/copy/analytics/events"
copy_out "$WORK" lake/wh/analytics/events "$TABLE"
node "$FLOE_ORACLE/check-table.mjs" --table-dir "$TABLE" --deep \
  --sql "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t" > "$WORK/check.json" || {
  cat "$WORK/check.json"; exit 1; }
grep -E '"(n|ids|data_files|rows)"' "$WORK/check.json"
grep -Eq "\"n\": *\"?$ROWS\"?," "$WORK/check.json" || { echo "expected $ROWS rows"; exit 1; }
grep -Eq "\"ids\": *\"?$ROWS\"?" "$WORK/check.json" || { echo "expected $ROWS distinct ids"; exit 1; }
grep -Eq '"data_files": *1,' "$WORK/check.json" || { echo "expected one data file"; exit 1; }
