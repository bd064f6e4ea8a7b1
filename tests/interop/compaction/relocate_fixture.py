#!/usr/bin/python3
"""Makes a writable copy of a fixture table with absolute paths, registered in a SQLite catalog.

usage: relocate_fixture.py SRC_DIR DEST_DIR PREFIX CATALOG_DB NAMESPACE TABLE METADATA_FILE [keep]

The fixtures of ../shared/fixtures/iceberg keep the relative paths their writers used (README:
"Relocating paths"). A catalog table needs locations it can write next to, so the copy gets every
path that starts with PREFIX (or is the table's written location) rewritten to DEST_DIR: in every
metadata JSON (gzipped ones stay gzipped) and every manifest and manifest list (python3-avro,
Debian's, rewrites the records with the writer's schema and header metadata; manifest lengths in
the lists follow the rewritten manifests). The table is then registered as NAMESPACE.TABLE in
CATALOG_DB (Iceberg's JDBC catalog tables, catalog name "floe") at METADATA_FILE (relative to
DEST_DIR). With "keep", paths are relative to the fixture folder and keep PREFIX (the lineitem
tables: "lineitem_iceberg/..." and the location "./lineitem_iceberg"). Prints the registered
metadata location.
"""

import gzip
import io
import json
import os
import shutil
import sqlite3
import stat
import sys
import warnings

import avro.datafile
import avro.io
import avro.schema

warnings.simplefilter("ignore")  # python3-avro warns about Iceberg's logical type "map"

src, dest, prefix, catalog_db, namespace, table, metadata_file = sys.argv[1:8]
keep = len(sys.argv) > 8 and sys.argv[8] == "keep"
dest = os.path.abspath(dest)


def relocate(s):
    if s.startswith(prefix):
        return os.path.join(dest, s if keep else s[len(prefix):])
    bare = prefix.rstrip("/")
    for form in (bare, "./" + bare):
        if s == form:
            return os.path.join(dest, bare) if keep else dest
    return s


def walk(v):
    if isinstance(v, str):
        return relocate(v)
    if isinstance(v, list):
        return [walk(x) for x in v]
    if isinstance(v, dict):
        return {k: walk(x) for k, x in v.items()}
    return v


shutil.copytree(src, dest)
for root, dirs, files in os.walk(dest):
    os.chmod(root, 0o755)
    for f in files:
        os.chmod(os.path.join(root, f), stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)

avros = []
for root, _, files in os.walk(dest):
    for f in files:
        p = os.path.join(root, f)
        if f.endswith(".metadata.json"):
            raw = open(p, "rb").read()
            zipped = raw[:2] == b"\x1f\x8b"
            text = gzip.decompress(raw) if zipped else raw
            out = json.dumps(walk(json.loads(text)), indent=2).encode()
            open(p, "wb").write(gzip.compress(out) if zipped else out)
        elif f.endswith(".avro"):
            avros.append(p)


def rewrite_avro(path, lengths):
    with open(path, "rb") as fh:
        reader = avro.datafile.DataFileReader(fh, avro.io.DatumReader())
        meta = dict(reader.meta)
        records = list(reader)
        reader.close()
    schema = avro.schema.parse(meta["avro.schema"].decode())
    codec = meta.get("avro.codec", b"null").decode()
    out = []
    for r in records:
        r = walk(r)
        if "manifest_path" in r and r["manifest_path"] in lengths:
            r["manifest_length"] = lengths[r["manifest_path"]]
        out.append(r)
    buf = io.BytesIO()
    writer = avro.datafile.DataFileWriter(buf, avro.io.DatumWriter(), schema, codec=codec)
    for k, v in meta.items():
        if not k.startswith("avro."):
            writer.set_meta(k, v)
    for r in out:
        writer.append(r)
    writer.flush()
    data = buf.getvalue()
    writer.close()
    with open(path, "wb") as fh:
        fh.write(data)
    # The header written keeps the schema text python3-avro produced; Iceberg readers need the
    # field ids, which it keeps as extra attributes.
    return len(data)


def is_list(path):
    with open(path, "rb") as fh:
        reader = avro.datafile.DataFileReader(fh, avro.io.DatumReader())
        name = json.loads(reader.meta["avro.schema"].decode()).get("name", "")
        reader.close()
    return name == "manifest_file"


lengths = {}
lists = []
for p in avros:
    if is_list(p):
        lists.append(p)
    else:
        lengths[p] = rewrite_avro(p, {})
for p in lists:
    rewrite_avro(p, lengths)

location = os.path.join(dest, metadata_file)
db = sqlite3.connect(catalog_db)
db.execute(
    "CREATE TABLE IF NOT EXISTS iceberg_tables (catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, "
    "metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
    "iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name))")
db.execute(
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), "
    "PRIMARY KEY (catalog_name, namespace, property_key))")
db.execute("INSERT OR IGNORE INTO iceberg_namespace_properties VALUES ('floe', ?, 'exists', 'true')",
           (namespace,))
db.execute("INSERT INTO iceberg_tables VALUES ('floe', ?, ?, ?, NULL, 'TABLE')",
           (namespace, table, location))
db.commit()
db.close()
print(location)
