#!/usr/bin/env python3
"""Compaction on S3 (s3rver) vs local disk (issue 8 must-show 5): the same 500-file events
table (tests/interop/s3/s3_compact_table: FILES small Parquet files of one day, 40 rows each,
appended 50 per commit) built once in a local folder and once in an s3:// warehouse on an s3rver
started here, then one forced compaction of each. Prints wall time of the compaction and, on
S3, the requests it sent per method, in all and per input file.

    FLOE_BUILD=build-rel python3 bench/s3/run.py [--files N]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import BUILD, ORACLE, ROOT, print_table, run_json  # noqa: E402

DRIVER = BUILD / "tests" / "interop" / "s3" / "s3_compact_table"


def start_s3rver(folder, bucket):
    """s3rver on a free loopback port (port 0, read back from its output); returns (proc, url)."""
    oracle = ORACLE if (ORACLE / "node_modules").exists() else ROOT / "build" / "oracle"
    log = open(folder / "s3rver.out", "w+")
    proc = subprocess.Popen(
        ["node", "--openssl-legacy-provider",
         "--require", ROOT / "tests" / "support" / "s3rver_consistent_put.cjs",
         oracle / "node_modules" / "s3rver" / "bin" / "s3rver.js", "-d", folder / "s3",
         "-a", "127.0.0.1", "-p", "0", "--silent", "--configure-bucket", bucket],
        stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        log.seek(0)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read())
        if m:
            return proc, f"http://127.0.0.1:{m.group(1)}"
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    sys.exit("s3rver did not start")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=500)
    args = ap.parse_args()
    if not DRIVER.exists():
        sys.exit(f"{DRIVER} missing: build the target s3_compact_table in {BUILD}")

    with tempfile.TemporaryDirectory(prefix="floe-bench-s3-") as tmp:
        work = Path(tmp)
        (work / "local").mkdir()
        local = run_json([DRIVER, work / "local" / "wh", work / "local" / "catalog.db",
                          args.files])
        proc, endpoint = start_s3rver(work, "lake")
        try:
            s3 = run_json([DRIVER, "s3://lake/wh", work / "s3-catalog.db", args.files], env={
                "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "S3RVER",
                "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_REGION": "us-east-1",
                "FLOE_S3_CONDITIONAL_PUT": "emulated"})
        finally:
            proc.terminate()
            proc.wait()

    print(json.dumps({"local": local, "s3rver": s3}))
    files_in = s3["files_in"] or 1
    req = s3["requests"]
    per = lambda n: f"{n / files_in:.2f}"  # noqa: E731
    print_table(f"forced compaction of {args.files} files ({s3['rows']} rows), "
                f"{s3['files_in']} -> {s3['files_out']} files", [
        ("metric", "s3rver", "local disk", "ratio"),
        ("wall time", f"{s3['compaction_ms']} ms", f"{local['compaction_ms']} ms",
         f"s3 {s3['compaction_ms'] / max(local['compaction_ms'], 1):.2f}x"),
        ("requests per input file", per(s3["requests_total"]), "-", ""),
        ("GET per input file", per(req["get"]), "-", ""),
        ("PUT per input file", per(req["put"]), "-", ""),
        ("HEAD per input file", per(req["head"]), "-", ""),
        ("LIST per input file", per(req["list"]), "-", ""),
        ("DELETE per input file", per(req["delete"]), "-", ""),
        ("POST (multipart, batch delete)", str(req["post"]), "-", ""),
        ("retries", str(req["retries"]), "-", ""),
    ])


if __name__ == "__main__":
    main()
