#!/bin/sh
# For each variant of commit_write_table (day(timestamp), bucket[16], truncate, every type), writes
# a table with floe's commits (append ×3, then replace) into a SQLite catalog in a temp warehouse
# and has the oracle check all of it, down to the rows of every live file; Apache Avro's Python
# reader (python3-avro) must read every manifest and manifest list with the partition's field ids
# intact; every bucket and truncate partition value must be what the spec's transform gives for
# the rows of its file (check_partition_values.mjs); then icebird (another reader) reads the
# whole table over HTTP (check-icebird.mjs serves the table folder on a free loopback port) and
# must count the same rows.
set -eu
WRITER="$1"
for VARIANT in day bucket truncate alltypes; do
  echo "== variant $VARIANT"
  WAREHOUSE=$(mktemp -d "${TMPDIR:-/tmp}/floe-commit-interop-XXXXXX")
  ROWS=$("$WRITER" "$WAREHOUSE" "$WAREHOUSE/catalog.db" "$VARIANT")
  SQL="SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t"
  [ "$VARIANT" != alltypes ] || SQL="SELECT count(*) AS n, count(DISTINCT r_long) AS longs FROM t"
  node "$FLOE_ORACLE/check-table.mjs" --catalog-db "$WAREHOUSE/catalog.db" --table ns.events \
    --deep --sql "$SQL" > "$WAREHOUSE/check.json" || { cat "$WAREHOUSE/check.json"; exit 1; }
  cat "$WAREHOUSE/check.json"
  grep -Eq "\"n\": *\"?$ROWS\"?," "$WAREHOUSE/check.json" || { echo "expected $ROWS rows"; exit 1; }

  /usr/bin/python3 - "$WAREHOUSE/ns/events/metadata" <<'PY'
import glob, sys, warnings
import avro.datafile, avro.io
warnings.simplefilter("ignore")
files = glob.glob(sys.argv[1] + "/*.avro")
assert files, "no avro files in " + sys.argv[1]
for path in files:
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        records = list(reader)
        schema = reader.datum_reader.writers_schema.to_json()
        assert records, path + ": no records"
        fields = {f["name"]: f for f in schema["fields"]}
        if "data_file" in fields:
            df = {f["name"]: f for f in fields["data_file"]["type"]["fields"]}
            part = df["partition"]["type"]["fields"]
            ids = [f.get("field-id") for f in part]
            assert ids and all(i is not None and i >= 1000 for i in ids), path + ": ids " + str(ids)
            for r in records:
                assert set(r["data_file"]["partition"]) == {f["name"] for f in part}, path
print("python3-avro read", len(files), "manifest files")
PY

  METADATA=$(sqlite3 "$WAREHOUSE/catalog.db" \
    "SELECT metadata_location FROM iceberg_tables WHERE table_namespace = 'ns' AND table_name = 'events'")
  [ -n "$METADATA" ] || { echo "ns.events is not in the catalog"; exit 1; }
  node "$(dirname "$0")/check_partition_values.mjs" "${METADATA#file://}"
  node "$FLOE_ORACLE/check-icebird.mjs" "$WAREHOUSE/ns/events" "$(basename "$METADATA")" \
    > "$WAREHOUSE/icebird.json" || true
  cat "$WAREHOUSE/icebird.json"
  grep -Eq "\"ok\": *true" "$WAREHOUSE/icebird.json" || { echo "icebird could not read the table"; exit 1; }
  grep -Eq "\"rows\": *$ROWS[,}]" "$WAREHOUSE/icebird.json" ||
    { echo "icebird read a different row count (expected $ROWS)"; exit 1; }
  rm -rf "$WAREHOUSE"
done
