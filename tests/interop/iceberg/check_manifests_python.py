#!/usr/bin/python3
"""Reads the manifests and manifest lists floe writes with Debian's python3-avro.

usage: check_manifests_python.py MANIFEST_WRITE_SAMPLE

Runs the tool into a temporary folder; it prints what it wrote. python3-avro must read every
record of every file with the values floe meant, and the embedded writer schema (as python3-avro
parses it) must carry every Iceberg id of FORMAT_NOTES §2/§3 (`field-id`, `element-id`, and the
key/value field ids of the map records) on the field or type it belongs to, with Java's record
names. Exits 1 on any difference.
"""

import datetime
import json
import subprocess
import sys
import tempfile
import warnings

import avro.datafile
import avro.io
import avro.schema

warnings.simplefilter("ignore")  # python3-avro warns about Iceberg's logical type "map"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


# FORMAT_NOTES §3.1/3.2: path -> field-id; "[]" marks an array's items, "{k}"/"{v}" map records.
MANIFEST_IDS = {
    "status": 0, "snapshot_id": 1, "sequence_number": 3, "file_sequence_number": 4,
    "data_file": 2,
    "data_file.content": 134, "data_file.file_path": 100, "data_file.file_format": 101,
    "data_file.partition": 102,
    "data_file.partition.category": 1000, "data_file.partition.id_bucket": 1001,
    "data_file.partition.name_trunc": 1002, "data_file.partition.ts_day": 1003,
    "data_file.record_count": 103, "data_file.file_size_in_bytes": 104,
    "data_file.column_sizes": 108, "data_file.column_sizes[].key": 117,
    "data_file.column_sizes[].value": 118,
    "data_file.value_counts": 109, "data_file.value_counts[].key": 119,
    "data_file.value_counts[].value": 120,
    "data_file.null_value_counts": 110, "data_file.null_value_counts[].key": 121,
    "data_file.null_value_counts[].value": 122,
    "data_file.nan_value_counts": 137, "data_file.nan_value_counts[].key": 138,
    "data_file.nan_value_counts[].value": 139,
    "data_file.lower_bounds": 125, "data_file.lower_bounds[].key": 126,
    "data_file.lower_bounds[].value": 127,
    "data_file.upper_bounds": 128, "data_file.upper_bounds[].key": 129,
    "data_file.upper_bounds[].value": 130,
    "data_file.key_metadata": 131, "data_file.split_offsets": 132,
    "data_file.equality_ids": 135, "data_file.sort_order_id": 140,
    "data_file.referenced_data_file": 143,
}
MANIFEST_ELEMENT_IDS = {"data_file.split_offsets": 133, "data_file.equality_ids": 136}
MANIFEST_NAMES = {"": "manifest_entry", "data_file": "r2", "data_file.partition": "r102",
                  "data_file.column_sizes[]": "k117_v118", "data_file.value_counts[]": "k119_v120",
                  "data_file.null_value_counts[]": "k121_v122",
                  "data_file.nan_value_counts[]": "k138_v139",
                  "data_file.lower_bounds[]": "k126_v127", "data_file.upper_bounds[]": "k129_v130"}

# FORMAT_NOTES §2.
LIST_IDS = {
    "manifest_path": 500, "manifest_length": 501, "partition_spec_id": 502, "content": 517,
    "sequence_number": 515, "min_sequence_number": 516, "added_snapshot_id": 503,
    "added_files_count": 504, "existing_files_count": 505, "deleted_files_count": 506,
    "added_rows_count": 512, "existing_rows_count": 513, "deleted_rows_count": 514,
    "partitions": 507, "partitions[].contains_null": 509, "partitions[].contains_nan": 518,
    "partitions[].lower_bound": 510, "partitions[].upper_bound": 511, "key_metadata": 519,
}
LIST_ELEMENT_IDS = {"partitions": 508}
LIST_NAMES = {"": "manifest_file", "partitions[]": "r508"}


def walk(schema_json, path, field_ids, element_ids, names):
    """Collects ids and record names from a schema as python3-avro gives it back (to_json)."""
    t = schema_json
    if isinstance(t, list):  # an optional: ["null", T]
        for branch in t:
            if branch != "null":
                walk(branch, path, field_ids, element_ids, names)
        return
    if not isinstance(t, dict):
        return
    if t.get("type") == "record":
        names[path] = t.get("name")
        for f in t["fields"]:
            sub = f["name"] if path in ("",) else path + "." + f["name"]
            if path.endswith("[]"):
                sub = path + "." + f["name"]
            if "field-id" in f:
                field_ids[sub] = f["field-id"]
            walk(f["type"], sub, field_ids, element_ids, names)
    elif t.get("type") == "array":
        if "element-id" in t:
            element_ids[path] = t["element-id"]
        walk(t["items"], path + "[]", field_ids, element_ids, names)


def check_schema(path, schema, want_ids, want_elements, want_names):
    field_ids, element_ids, names = {}, {}, {}
    walk(schema.to_json(), "", field_ids, element_ids, names)
    for k, v in want_ids.items():
        if field_ids.get(k) != v:
            fail(f"{path}: field-id of {k}: want {v}, python3-avro sees {field_ids.get(k)}")
    for k in field_ids:
        if k not in want_ids:
            fail(f"{path}: unexpected field {k} (field-id {field_ids[k]})")
    for k, v in want_elements.items():
        if element_ids.get(k) != v:
            fail(f"{path}: element-id of {k}: want {v}, python3-avro sees {element_ids.get(k)}")
    for k, v in want_names.items():
        if names.get(k) != v:
            fail(f"{path}: record name at '{k}': want {v}, got {names.get(k)}")


def strip_logical(s):
    if isinstance(s, dict):
        return {k: strip_logical(v) for k, v in s.items() if k != "logicalType"}
    if isinstance(s, list):
        return [strip_logical(x) for x in s]
    return s


def normalize(v):
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex()}
    if isinstance(v, datetime.date):  # python3-avro applies the writer's "date" regardless
        return (v - datetime.date(1970, 1, 1)).days
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


def read(path):
    with open(path, "rb") as fh:
        reader = avro.datafile.DataFileReader(fh, avro.io.DatumReader())
        writer_schema = reader.datum_reader.writers_schema
        meta = {k: v.decode() for k, v in reader.meta.items()}
        reader.close()
    # Raw values (dates as ints), as floe describes them.
    raw = avro.schema.parse(json.dumps(strip_logical(writer_schema.to_json())))
    with open(path, "rb") as fh:
        reader = avro.datafile.DataFileReader(fh, avro.io.DatumReader(raw, raw))
        records = [normalize(r) for r in reader]
        reader.close()
    return writer_schema, meta, records


def main():
    tool = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="floe-manifest-interop-") as tmp:
        out = subprocess.run([tool, tmp], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr)
            sys.exit(1)
        written = json.loads(out.stdout)["files"]
        if len(written) != 6:
            fail(f"expected 6 files, the tool wrote {len(written)}")
        for f in written:
            path = f["path"]
            try:
                schema, meta, records = read(path)
            except Exception as e:  # noqa: BLE001 - any reader failure is a finding
                fail(f"{path}: python3-avro cannot read it: {e!r}")
                continue
            if f["kind"] == "manifest":
                check_schema(path, schema, MANIFEST_IDS, MANIFEST_ELEMENT_IDS, MANIFEST_NAMES)
                for key in ("schema", "schema-id", "partition-spec", "partition-spec-id"):
                    if key not in meta:
                        fail(f"{path}: header key {key} missing")
                if meta.get("format-version") != "2":
                    fail(f"{path}: format-version {meta.get('format-version')}")
                want = "deletes" if "deletes-" in path else "data"
                if meta.get("content") != want:
                    fail(f"{path}: content {meta.get('content')}, want {want}")
                spec = json.loads(meta["partition-spec"])
                if [p["field-id"] for p in spec] != [1000, 1001, 1002, 1003]:
                    fail(f"{path}: partition-spec {meta['partition-spec']}")
            else:
                check_schema(path, schema, LIST_IDS, LIST_ELEMENT_IDS, LIST_NAMES)
                for key, value in (("snapshot-id", "3051729675574597004"),
                                   ("parent-snapshot-id", "17"), ("sequence-number", "4"),
                                   ("format-version", "2")):
                    if meta.get(key) != value:
                        fail(f"{path}: header {key} = {meta.get(key)!r}, want {value!r}")
            if meta.get("avro.codec") not in ("null", "deflate"):
                fail(f"{path}: avro.codec {meta.get('avro.codec')}")
            if len(records) != len(f["records"]):
                fail(f"{path}: {len(records)} records, floe wrote {len(f['records'])}")
            for i, (got, want) in enumerate(zip(records, f["records"])):
                if got != want:
                    fail(f"{path}: record {i}:\n  python3-avro {json.dumps(got, sort_keys=True)}"
                         f"\n  floe         {json.dumps(want, sort_keys=True)}")
            print(f"ok {path}: {len(records)} records")
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("all files read by python3-avro with the values and ids floe wrote")


if __name__ == "__main__":
    main()
