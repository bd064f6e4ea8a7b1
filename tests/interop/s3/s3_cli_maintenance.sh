#!/bin/sh
# End to end on s3rver with the floe CLI: a table written through S3Store (append ×3, replace),
# then `floe compact`, `floe expire-snapshots` and `floe remove-orphans` against the s3://
# warehouse (SQLite catalog); the orphan planted in the table's data folder must be gone, the
# files of expired snapshots too, and the oracle must find every row exactly once.
set -eu
WRITER="$1"
. "$(dirname "$0")/s3rver.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/floe-s3-cli-XXXXXX")
start_s3rver "$WORK" lake
ROWS=$("$WRITER" s3://lake/wh "$WORK/catalog.db")
FLAGS="--warehouse s3://lake/wh --catalog sqlite:$WORK/catalog.db --table ns.events --json"
DATA="$WORK/s3/lake/wh/ns/events/data"

# An orphan: a file under the table location that no metadata references.
curl -sf -X PUT --data-binary 'not referenced' "$AWS_ENDPOINT_URL/lake/wh/ns/events/data/orphan.parquet"
[ -f "$DATA/orphan.parquet._S3rver_object" ] || { echo "orphan not planted"; exit 1; }
before=$(find "$DATA" -name '*.parquet._S3rver_object' | wc -l)

"$FLOE_BIN" compact $FLAGS --force --target-files 1 > "$WORK/compact.json"
cat "$WORK/compact.json"
grep -q '"status": *"success"' "$WORK/compact.json" || { echo "compact did not succeed"; exit 1; }
# s3rver's modification times have one-second steps: let every file age past the 1 s windows.
sleep 2
"$FLOE_BIN" expire-snapshots $FLAGS --older-than 1s --retain-last 1 > "$WORK/expire.json"
cat "$WORK/expire.json"
"$FLOE_BIN" remove-orphans $FLAGS --older-than 1s > "$WORK/orphans.json"
cat "$WORK/orphans.json"
[ ! -f "$DATA/orphan.parquet._S3rver_object" ] || { echo "the orphan is still there"; exit 1; }
after=$(find "$DATA" -name '*.parquet._S3rver_object' | wc -l)
echo "parquet objects: $before before (with the orphan), $after after"
[ "$after" -lt "$before" ] || { echo "expected fewer data files after compaction and expiry"; exit 1; }

TABLE="$WORK/copy/ns/events"
copy_out "$WORK" lake/wh/ns/events "$TABLE"
node "$FLOE_ORACLE/check-table.mjs" --table-dir "$TABLE" --deep \
  --sql "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t" > "$WORK/check.json" || {
  cat "$WORK/check.json"; exit 1; }
grep -E '"(n|ids|data_files|rows)"' "$WORK/check.json"
grep -Eq "\"n\": *\"?$ROWS\"?," "$WORK/check.json" || { echo "expected $ROWS rows"; exit 1; }
grep -Eq "\"ids\": *\"?$ROWS\"?" "$WORK/check.json" || { echo "expected $ROWS distinct ids"; exit 1; }
