#!/usr/bin/env python3
"""Compaction benchmark (issue 5 must-show 7): 500 small Parquet files holding 1,000,000 events
(written by DuckDB from gen_events.py's NDJSON) compacted by `floe compact` and, on a copy of the
same files, by DuckDB (duckdb-anchor.mjs compact, 2 threads). Prints wall time, peak RSS and
output bytes of both, and DuckDB's query time (duckdb-anchor.mjs query) on the files before,
after floe and after DuckDB, as ratios.

    FLOE_BUILD=build-rel python3 bench/compaction/run.py [--events N] [--files N]
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import BUILD, DATA, duckdb_anchor, events_ndjson, mb, print_table  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=500)
    args = ap.parse_args()

    ndjson = events_ndjson(args.events)
    work = DATA / f"compaction-{args.events}-{args.files}"
    if work.exists():
        shutil.rmtree(work)
    small = work / "small"
    duckdb_anchor("split", ndjson, small, args.files, threads=2)
    files = sorted(glob.glob(str(small / "**" / "*.parquet"), recursive=True))
    in_bytes = sum(os.path.getsize(f) for f in files)

    # floe's copy: the files inside an Iceberg table's data folder.
    warehouse = work / "warehouse"
    data = warehouse / "analytics" / "events" / "data"
    data.mkdir(parents=True)
    floe_inputs = []
    for i, f in enumerate(files):
        dst = data / f"small-{i:04d}.parquet"
        shutil.copyfile(f, dst)
        floe_inputs.append(str(dst))
    subprocess.run([str(BUILD / "bench" / "floe_bench_compaction_register"), str(warehouse),
                    *floe_inputs], check=True, stdout=subprocess.DEVNULL)
    # DuckDB's copy.
    duck_dir = work / "duck-in"
    shutil.copytree(small, duck_dir)

    query_before = duckdb_anchor("query", str(small / "**" / "*.parquet"), threads=2)

    floe_cmd = ["/usr/bin/time", "-f", "%M", str(BUILD / "floe"), "compact", "--warehouse",
                str(warehouse), "--table", "analytics.events", "--force",
                "--memory-limit-mb", "128", "--json"]
    start = time.monotonic()
    proc = subprocess.run([str(c) for c in floe_cmd], capture_output=True, text=True)
    floe_s = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"floe compact failed: {proc.stderr}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    floe_rss = int(proc.stderr.strip().splitlines()[-1]) * 1024
    outputs = sorted(glob.glob(str(data / "compacted-*.parquet")))
    floe_out = sum(os.path.getsize(f) for f in outputs)
    query_floe = duckdb_anchor("query", str(data / "compacted-*.parquet"), threads=2)

    duck_out_file = work / "duck-out.parquet"
    duck = duckdb_anchor("compact", str(duck_dir / "**" / "*.parquet"), duck_out_file, threads=2)
    query_duck = duckdb_anchor("query", str(duck_out_file), threads=2)

    def ratio(a, b, better_low=True):
        if not a or not b:
            return "n/a"
        r = b / a if better_low else a / b
        return f"floe {r:.2f}x" + (" faster/smaller" if better_low else "")

    print(json.dumps({"floe": {"seconds": floe_s, "peak_rss_bytes": floe_rss,
                               "output_bytes": floe_out, "outputs": len(outputs),
                               "report": {k: report[k] for k in ("status", "files_in",
                                          "files_out", "rows_in", "rows_out", "bytes_in",
                                          "bytes_out", "cpu_ms", "peak_memory_bytes")}},
                      "duckdb": duck, "query_before": query_before, "query_floe": query_floe,
                      "query_duckdb": query_duck, "input_bytes": in_bytes,
                      "input_files": len(files)}, default=str))
    d_s = duck.get("seconds")
    d_rss = duck.get("peak_rss_bytes") or duck.get("peakRss") or duck.get("peak_rss")
    print_table(f"compaction of {len(files)} files, {args.events} events, {mb(in_bytes)}", [
        ("metric", "floe", "duckdb", "ratio"),
        ("wall time", f"{floe_s:.2f} s", f"{d_s:.2f} s" if d_s else "?",
         f"{d_s / floe_s:.2f}x" if d_s else "?"),
        ("peak RSS", mb(floe_rss), mb(d_rss) if d_rss else "?",
         f"{d_rss / floe_rss:.2f}x" if d_rss else "?"),
        ("output", mb(floe_out), mb(duck.get("bytes_out", 0) or 0), ""),
        ("query before", f"{query_before.get('seconds', 0):.3f} s", "", ""),
        ("query after", f"{query_floe.get('seconds', 0):.3f} s",
         f"{query_duck.get('seconds', 0):.3f} s", ""),
    ])


if __name__ == "__main__":
    main()
