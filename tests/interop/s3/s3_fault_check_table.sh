#!/bin/sh
# Ingest and compaction over S3 with 10 % of the HTTP requests failing (issue 8 must-show 4):
# ROUNDS rounds of s3_fault_table against an s3rver started here (same warehouse, catalog, state
# folder and list of acknowledged ids throughout; every other round ends like a crash), then a
# last round without faults that flushes what is left. After every round the oracle checks the
# table the catalog points at, deeply, from s3rver's storage folder: no event twice, none that
# was not acknowledged; after the last one every acknowledged event is there exactly once.
# FLOE_FAULT_SEED replays a run.
set -eu
DRIVER="$1"
ROUNDS="${2:-4}"
SEED="${FLOE_FAULT_SEED:-8}"
. "$(dirname "$0")/s3rver.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/floe-s3-fault-XXXXXX")
start_s3rver "$WORK" lake
ACKED="$WORK/acked.txt"
: > "$ACKED"
echo "seed $SEED"

r=1
while [ "$r" -le "$ROUNDS" ]; do
  "$DRIVER" s3://lake/wh "$WORK/catalog.db" "$WORK/state" "$ACKED" "$r" 0.10 "$SEED"
  check_acked "$WORK" "$WORK/catalog.db" "$ACKED" "round-$r"
  r=$((r + 1))
done
"$DRIVER" s3://lake/wh "$WORK/catalog.db" "$WORK/state" "$ACKED" "$r" 0 "$SEED"
check_acked "$WORK" "$WORK/catalog.db" "$ACKED" "round-$r" final
