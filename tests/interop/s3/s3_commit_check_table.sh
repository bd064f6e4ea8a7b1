#!/bin/sh
# The table of iceberg_commit_table_interop (append ×3, then replace) written to an s3rver through
# S3Store (warehouse s3://lake/wh, SQLite catalog beside), then checked deeply by the oracle from
# s3rver's storage folder, where each object's bytes sit in <bucket>/<key>._S3rver_object.
set -eu
WRITER="$1"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/floe-s3-interop-XXXXXX")
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

node --openssl-legacy-provider "$FLOE_ORACLE/node_modules/s3rver/bin/s3rver.js" \
  -d "$WORK/s3" -a 127.0.0.1 -p 0 --silent --configure-bucket lake > "$WORK/s3rver.out" 2>&1 &
PID=$!
PORT=""
for _ in $(seq 1 600); do
  PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$WORK/s3rver.out")
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "s3rver did not start:"; cat "$WORK/s3rver.out"; exit 1; }

# s3rver checks no signatures and ignores If-None-Match (hence the emulated put-if-absent).
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=S3RVER \
  AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 FLOE_S3_CONDITIONAL_PUT=emulated
ROWS=$("$WRITER" s3://lake/wh "$WORK/catalog.db")

TABLE="$WORK/copy/ns/events"
(cd "$WORK/s3/lake/wh/ns/events" && find . -name '*._S3rver_object') | while read -r f; do
  mkdir -p "$TABLE/$(dirname "$f")"
  cp "$WORK/s3/lake/wh/ns/events/$f" "$TABLE/${f%._S3rver_object}"
done
echo "objects in s3rver: $(find "$TABLE" -type f | wc -l)"
sqlite3 -readonly "$WORK/catalog.db" "SELECT metadata_location FROM iceberg_tables"

node "$FLOE_ORACLE/check-table.mjs" --table-dir "$TABLE" --deep \
  --sql "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t" > "$WORK/check.json" || {
  cat "$WORK/check.json"; exit 1; }
cat "$WORK/check.json"
grep -Eq "\"n\": *\"?$ROWS\"?," "$WORK/check.json" || { echo "expected $ROWS rows"; exit 1; }
grep -Eq "\"ids\": *\"?$ROWS\"?" "$WORK/check.json" || { echo "expected $ROWS distinct ids"; exit 1; }
