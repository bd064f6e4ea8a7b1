#!/bin/sh
# floe ingest and floe serve with an s3:// warehouse on s3rver (issue 8 must-show 3): WAL and
# state stay in local folders, data and metadata go to s3rver, the catalog is SQLite.
# s3_serve_e2e.mjs ingests a file, then events over HTTP with flushes, compacts, expires
# snapshots and removes a planted orphan through the admin API, and writes every acknowledged id
# to WORK/acked.txt; then the oracle checks the table from s3rver's storage folder (--deep) and
# DuckDB finds every acknowledged event exactly once.
set -eu
. "$(dirname "$0")/s3rver.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/floe-s3-serve-XXXXXX")
start_s3rver "$WORK" lake
node "$(dirname "$0")/s3_serve_e2e.mjs" "$WORK"
check_acked "$WORK" "$WORK/catalog.db" "$WORK/acked.txt" after-serve final
