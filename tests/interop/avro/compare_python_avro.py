#!/usr/bin/python3
"""Cross-checks floe's Avro reader and writer against independent readers.

usage: compare_python_avro.py AVRO_DUMP FIXTURES_DIR

1. Every .avro file under FIXTURES_DIR (manifests and manifest lists written by Spark/Java and
   PyIceberg) is read by floe (AVRO_DUMP read) and by Debian's python3-avro: codec, metadata,
   record counts and every value must agree.
2. AVRO_DUMP write makes manifest-shaped files with every codec. python3-avro reads the null and
   deflate ones (it has no snappy or zstandard here); avsc from the oracle (node, FLOE_ORACLE)
   reads null, deflate and zstandard when it is installed (its snappy, hysnappy, fails on blocks
   over ~60 KB, whoever wrote them); avrocat (avro-c, checks the snappy CRC) reads snappy. Values
   must match what floe wrote, and the `field-id`, `element-id` attributes must be in the
   embedded schema as the other reader parses it.

3. Every manifest list among the fixtures is read by floe with floe's v2 `manifest_file` schema
   as the reader schema: columns are matched by field id, so lists of older Java writers (ids
   504-506 named `added_data_files_count`, ...) and v1 lists (no 515-517: defaults) read the
   same values python3-avro finds under those ids.

Exits 1 on any difference.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import avro.datafile
import avro.io
import avro.schema

warnings.simplefilter("ignore")  # python3-avro warns about Iceberg's unknown logical types

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def strip_logical_types(schema):
    """The schema without logicalType, so python3-avro returns raw values like floe does."""
    if isinstance(schema, dict):
        return {k: strip_logical_types(v) for k, v in schema.items() if k != "logicalType"}
    if isinstance(schema, list):
        return [strip_logical_types(s) for s in schema]
    return schema


def normalize(v):
    """python3-avro values in the form of floe's Value::ToJson."""
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex()}
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


def same(a, b, loose_ints=False):
    # avsc gives longs past 2^53 as strings.
    if loose_ints and isinstance(b, int) and not isinstance(b, bool) and isinstance(a, str):
        return str(b) == a
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], loose_ints) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, loose_ints) for x, y in zip(a, b))
    return a == b


def python_read(path):
    with open(path, "rb") as f:
        r = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        schema_text = r.get_meta("avro.schema").decode()
        parsed = avro.schema.parse(json.dumps(strip_logical_types(json.loads(schema_text))))
        r.datum_reader.writers_schema = parsed
        r.datum_reader.readers_schema = parsed
        codec = (r.get_meta("avro.codec") or b"null").decode()
        meta = {k: v.decode() for k, v in r.meta.items() if k != "avro.schema"}
        records = [normalize(x) for x in r]
        full_schema = avro.schema.parse(schema_text)
        return {"codec": codec, "metadata": meta, "values": records, "schema": full_schema}


def floe_read(dump, paths):
    out = subprocess.run([dump, "read"] + paths, capture_output=True, text=True)
    results = {}
    for line in out.stdout.splitlines():
        d = json.loads(line)
        results[d["file"]] = d
    if out.returncode != 0:
        for d in results.values():
            if "error" in d:
                fail(f"floe cannot read {d['file']}: {d['error']}")
    return results


def compare_file(path, mine, theirs, who, loose_ints=False):
    if "error" in mine:
        return  # reported already
    if mine["codec"] != theirs["codec"]:
        fail(f"{path}: codec floe={mine['codec']} {who}={theirs['codec']}")
    if mine["records"] != len(theirs["values"]):
        fail(f"{path}: records floe={mine['records']} {who}={len(theirs['values'])}")
        return
    for k, v in theirs.get("metadata", {}).items():
        if mine["metadata"].get(k) != v:
            fail(f"{path}: metadata {k!r} differs")
    for i, (a, b) in enumerate(zip(theirs["values"], mine["values"])):
        if not same(a, b, loose_ints):
            fail(f"{path}: record {i} differs:\n  {who}: {json.dumps(a)[:400]}\n  floe: {json.dumps(b)[:400]}")
            return


def ids_in(schema_json, path="", out=None):
    """Iceberg ids of a schema (JSON), as {path: (kind, id)}."""
    out = {} if out is None else out
    if isinstance(schema_json, list):
        for s in schema_json:
            ids_in(s, path, out)
    elif isinstance(schema_json, dict):
        t = schema_json.get("type")
        if t == "record":
            for f in schema_json["fields"]:
                out[path + f["name"]] = ("field-id", f.get("field-id"))
                ids_in(f["type"], path + f["name"] + ".", out)
        elif t == "array":
            if "element-id" in schema_json:
                out[path + "[]"] = ("element-id", schema_json["element-id"])
            ids_in(schema_json["items"], path + "[].", out)
        elif t == "map":
            ids_in(schema_json["values"], path + "{}.", out)
        elif isinstance(t, (dict, list)):
            ids_in(t, path, out)
    return out


def python_schema_ids(schema, path="", out=None):
    """The same, from python3-avro's parsed schema objects (their other_props)."""
    out = {} if out is None else out
    if isinstance(schema, avro.schema.UnionSchema):
        for s in schema.schemas:
            python_schema_ids(s, path, out)
    elif isinstance(schema, avro.schema.RecordSchema):
        for f in schema.fields:
            out[path + f.name] = ("field-id", f.other_props.get("field-id"))
            python_schema_ids(f.type, path + f.name + ".", out)
    elif isinstance(schema, avro.schema.ArraySchema):
        if "element-id" in schema.other_props:
            out[path + "[]"] = ("element-id", schema.other_props["element-id"])
        python_schema_ids(schema.items, path + "[].", out)
    elif isinstance(schema, avro.schema.MapSchema):
        python_schema_ids(schema.values, path + "{}.", out)
    return out


NODE_READER = r"""
import { readAvroFile } from '%s'
const out = []
for (const p of process.argv.slice(1)) {
  const r = await readAvroFile(p)
  out.push({ file: p, codec: r.codec, metadata: Object.fromEntries(Object.entries(r.meta).filter(([k]) => k !== 'avro.schema')),
             schema: r.schema, values: r.records })
}
process.stdout.write(JSON.stringify(out, (k, v) => {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
  if (v && v.type === 'Buffer' && Array.isArray(v.data)) return { bytes: Buffer.from(v.data).toString('hex') }
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : (v > 0 ? 'Infinity' : '-Infinity')
  return v
}))
"""


def oracle_dir():
    for d in (os.environ.get("FLOE_ORACLE"),
              os.path.join(os.environ.get("FLOE_SOURCE", ""), "build", "oracle")):
        if d and os.path.exists(os.path.join(d, "lib", "avro.mjs")) and \
                os.path.isdir(os.path.join(d, "node_modules", "avsc")):
            return os.path.abspath(d)
    return None


def node_read(paths):
    d = oracle_dir()
    if d is None:
        return None
    script = NODE_READER % ("file://" + os.path.join(d, "lib", "avro.mjs"))
    out = subprocess.run(["node", "--input-type=module", "-e", script, "--"] + paths,
                         capture_output=True, text=True, cwd=d)
    if out.returncode != 0:
        fail("node/avsc failed: " + out.stderr[-2000:])
        return {}
    return {r["file"]: r for r in json.loads(out.stdout)}


def check_written(dump):
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([dump, "write", tmp], capture_output=True, text=True)
        if out.returncode != 0:
            fail("avro_dump write failed: " + out.stderr)
            return
        paths = out.stdout.split()
        mine = floe_read(dump, paths)
        node = node_read([p for p in paths if "snappy" not in p])
        if node is None:
            print("note: the oracle (avsc) is not installed; snappy and zstandard files are read by floe only")
        for p in paths:
            m = mine.get(p)
            if m is None or "error" in m:
                continue
            want_ids = ids_in(m["schema"])
            if len(want_ids) < 10 or any(v[1] is None for v in want_ids.values()):
                fail(f"{p}: floe's embedded schema lost ids: {want_ids}")
            check_values(p, m)
            codec = m["codec"]
            if codec in ("null", "deflate"):
                theirs = python_read(p)
                compare_file(p, m, theirs, "python3-avro")
                got = python_schema_ids(theirs["schema"])
                if got != want_ids:
                    fail(f"{p}: python3-avro sees ids {got}, floe wrote {want_ids}")
                print(f"ok  {len(theirs['values']):5d} records  {codec:9s} python3-avro  {os.path.basename(p)}")
            if codec == "snappy":
                check_avrocat(p, m)
            if node is not None and codec != "snappy":
                theirs = node.get(p)
                compare_file(p, m, theirs, "avsc", loose_ints=True)
                if ids_in(theirs["schema"]) != want_ids:
                    fail(f"{p}: avsc sees other ids in the embedded schema")
                print(f"ok  {len(theirs['values']):5d} records  {codec:9s} avsc          {os.path.basename(p)}")


def check_avrocat(path, m):
    out = subprocess.run(["avrocat", path], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"{path}: avrocat failed: {out.stderr[-500:]}")
        return
    lines = out.stdout.splitlines()
    if len(lines) != m["records"]:
        fail(f"{path}: records floe={m['records']} avrocat={len(lines)}")
        return
    first = json.loads(lines[0])
    key = "manifest_path" if "manifest_path" in first else "data_file"
    want = m["values"][0][key]
    got = first[key]
    if key == "data_file":
        want, got = want["file_path"], got["file_path"]
    if want != got:
        fail(f"{path}: avrocat reads {got!r}, floe wrote {want!r}")
    print(f"ok  {len(lines):5d} records  {m['codec']:9s} avrocat       {os.path.basename(path)}")


def check_values(path, m):
    """What avro_dump write put in, spot-checked (so a floe bug shared by writer and reader shows)."""
    vals = m["values"]
    if len(vals) != 2500:
        fail(f"{path}: {len(vals)} records, wrote 2500")
        return
    if "manifest_list" in os.path.basename(path):
        v = vals[7]
        ok = (v["manifest_length"] == 4096 + 7 and v["added_snapshot_id"] == 8000000000000000007
              and v["partitions"][0]["lower_bound"] == {"bytes": "104a0000"}
              and vals[5]["partitions"] is None and v["deleted_rows_count"] == -1)
    else:
        v = vals[8]
        df = v["data_file"]
        ok = (v["snapshot_id"] == -9 and v["sequence_number"] == 8 and vals[9]["sequence_number"] is None
              and df["file_path"].endswith("00008-é.parquet") and df["partition"]["ts_day"] == 19731
              and vals[7]["data_file"]["partition"]["ts_day"] is None
              and df["lower_bounds"] == [{"key": 2, "value": {"bytes": "00ff"}}]
              and df["split_offsets"] == [4, 1 << 20] and df["equality_ids"] is None)
    if not ok:
        fail(f"{path}: values differ from what was written")
    if m["blocks"] < 2:
        fail(f"{path}: expected several blocks, got {m['blocks']}")


READER_MANIFEST_FILE = {"type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "content", "type": "int", "field-id": 517, "default": 0},
    {"name": "sequence_number", "type": "long", "field-id": 515, "default": 0},
    {"name": "min_sequence_number", "type": "long", "field-id": 516, "default": 0},
    {"name": "added_snapshot_id", "type": "long", "field-id": 503},
    {"name": "added_files_count", "type": ["null", "int"], "field-id": 504},
    {"name": "existing_files_count", "type": ["null", "int"], "field-id": 505},
    {"name": "deleted_files_count", "type": ["null", "int"], "field-id": 506},
    {"name": "added_rows_count", "type": ["null", "long"], "field-id": 512},
    {"name": "existing_rows_count", "type": ["null", "long"], "field-id": 513},
    {"name": "deleted_rows_count", "type": ["null", "long"], "field-id": 514}]}


def check_resolution(dump, paths):
    lists = [p for p in paths if os.path.basename(p).startswith("snap-")]
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(READER_MANIFEST_FILE, f)
        f.flush()
        out = subprocess.run([dump, "read", "--reader-schema", f.name] + lists,
                             capture_output=True, text=True)
    mine = {}
    for line in out.stdout.splitlines():
        d = json.loads(line)
        mine[d["file"]] = d
    for p in lists:
        m = mine.get(p)
        if m is None or "error" in m:
            fail(f"{p}: floe cannot read it as manifest_file v2: {m and m.get('error')}")
            continue
        theirs = python_read(p)
        names = {f.other_props.get("field-id"): f.name for f in theirs["schema"].fields}
        for got, raw in zip(m["values"], theirs["values"]):
            for field in READER_MANIFEST_FILE["fields"]:
                fid = field["field-id"]
                want = raw[names[fid]] if fid in names else field.get("default")
                if got[field["name"]] != want:
                    fail(f"{p}: field-id {fid} read as {got[field['name']]!r}, python3-avro has {want!r}")
        print(f"ok  {len(m['values']):5d} records  by field id   {os.path.basename(p)}")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    dump, fixtures = sys.argv[1], sys.argv[2]
    paths = sorted(os.path.join(root, f) for root, _, files in os.walk(fixtures)
                   for f in files if f.endswith(".avro"))
    if not paths:
        fail(f"no .avro files under {fixtures}")
    mine = floe_read(dump, paths)
    for p in paths:
        if p not in mine:
            fail(f"floe printed nothing for {p}")
            continue
        theirs = python_read(p)
        compare_file(p, mine[p], theirs, "python3-avro")
        print(f"ok  {len(theirs['values']):5d} records  {theirs['codec']:9s} {os.path.relpath(p, fixtures)}")
    check_resolution(dump, paths)
    check_written(dump)
    print(f"{len(paths)} fixture files; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
