# Sourced by the S3 interop scripts: start_s3rver WORK BUCKET starts an s3rver over WORK/s3 on a
# free loopback port and exports the AWS_* variables that point floe at it; it is stopped and
# WORK removed when the script exits. copy_out WORK BUCKET/KEY_PREFIX DEST rebuilds a folder
# from s3rver's storage, where each object's bytes sit in <bucket>/<key>._S3rver_object.
S3RVER_PID=""
S3RVER_WORK=""
s3rver_cleanup() {
  if [ -n "$S3RVER_PID" ]; then
    kill "$S3RVER_PID" 2>/dev/null || true
    # Bounded: a server that does not stop within 5 s is killed, not waited for.
    for _ in $(seq 1 50); do
      kill -0 "$S3RVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$S3RVER_PID" 2>/dev/null || true
    wait "$S3RVER_PID" 2>/dev/null || true
  fi
  [ -n "$S3RVER_WORK" ] && rm -rf "$S3RVER_WORK"
}
trap s3rver_cleanup EXIT INT TERM

start_s3rver() {
  S3RVER_WORK="$1"
  # The log exists before the server starts: the background job creates its redirection only
  # once it runs, and a first read racing it failed the script (`set -e`) at once.
  : > "$1/s3rver.out"
  # The preload makes a PUT's answer wait for the file write (tests/support/s3rver_consistent_put.cjs).
  node --openssl-legacy-provider --require "$FLOE_SOURCE/tests/support/s3rver_consistent_put.cjs" \
    "$FLOE_ORACLE/node_modules/s3rver/bin/s3rver.js" \
    -d "$1/s3" -a 127.0.0.1 -p 0 --silent --configure-bucket "$2" >> "$1/s3rver.out" 2>&1 &
  S3RVER_PID=$!
  port=""
  for _ in $(seq 1 600); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$1/s3rver.out")
    [ -n "$port" ] && break
    kill -0 "$S3RVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "s3rver did not start:"; cat "$1/s3rver.out"; exit 1; }
  # s3rver checks no signatures and ignores If-None-Match (hence the emulated put-if-absent).
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=S3RVER \
    AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 FLOE_S3_CONDITIONAL_PUT=emulated
}

copy_out() {
  src="$1/s3/$2"
  (cd "$src" && find . -name '*._S3rver_object') | while read -r f; do
    mkdir -p "$3/$(dirname "$f")"
    cp "$src/$f" "$3/${f%._S3rver_object}"
  done
}

# check_acked WORK CATALOG_DB ACKED_FILE LABEL [final]: the oracle checks, deeply, the version of
# analytics.events (warehouse s3://<bucket>/wh) that the SQLite catalog points at, from a copy of
# s3rver's storage: no event twice, none whose id is not in ACKED_FILE (one id a line); with
# "final" also every acknowledged id present. Exits the script when a check fails.
check_acked() {
  meta=$(sqlite3 "$2" "SELECT metadata_location FROM iceberg_tables WHERE table_name = 'events'")
  table="$1/copy-$4/analytics/events"
  copy_out "$1" lake/wh/analytics/events "$table"
  node "$FLOE_ORACLE/check-table.mjs" --table-dir "$table" --metadata "metadata/${meta##*/}" \
    --deep --sql "SELECT count(*) AS n, count(DISTINCT event_id) AS ids,
      count(*) FILTER (WHERE event_id NOT IN (SELECT id FROM read_csv('$3', header = false,
        columns = {'id': 'VARCHAR'}))) AS unacked FROM t" > "$1/check-$4.json" || {
    cat "$1/check-$4.json"; echo "$4: the oracle rejects the table"; exit 1; }
  python3 - "$1/check-$4.json" "$4" "$(sort -u "$3" | wc -l)" "${5:-}" <<'PY' || exit 1
import json, sys
out = json.load(open(sys.argv[1]))
row = {k: int(v) for k, v in out["sql"][0].items()}
label, acked, final = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "final"
print(f"{label}: table rows {row['n']}, distinct ids {row['ids']}, "
      f"not acknowledged {row['unacked']}, acknowledged so far {acked}")
bad = []
if row["n"] != row["ids"]: bad.append("an event is in the table twice")
if row["unacked"] != 0: bad.append("an event that was never acknowledged is in the table")
if row["n"] > acked: bad.append("more rows than acknowledged events")
if final and row["n"] != acked: bad.append("acknowledged events are missing")
if bad: sys.exit(f"{label}: " + "; ".join(bad))
PY
  rm -rf "$1/copy-$4"
}
