#!/usr/bin/env python3
"""Compaction benchmark (issue 5 must-show 7): 500 small Parquet files holding 1,000,000 events
(written by DuckDB from gen_events.py's NDJSON) compacted by `floe compact` and, on a copy of the
same files, by DuckDB (duckdb-anchor.mjs compact, 2 threads). Prints wall time, peak RSS and
output bytes of both, and DuckDB's query time (duckdb-anchor.mjs query) on the files before,
after floe and after DuckDB, as ratios.

Both compactions run --runs times (default 3), alternating, and the median wall time of each is
printed (peak RSS: the largest of the runs); the query after each is run 7 times, median printed.

    FLOE_BUILD=build-rel python3 bench/compaction/run.py [--events N] [--files N] [--runs N]
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


QUERY_RUNS = 7


def median_run(runs):
    """The run with the median time, with every run's seconds alongside."""
    ordered = sorted(runs, key=lambda r: r.get("seconds", 0))
    median = dict(ordered[len(ordered) // 2])
    median["seconds_all_runs"] = [r.get("seconds") for r in runs]
    return median


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3, help="compactions per side (median reported)")
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
    subprocess.run([str(BUILD / "tests" / "interop" / "compaction" / "register_files"), str(warehouse),
                    *floe_inputs], check=True, stdout=subprocess.DEVNULL)
    # DuckDB's copy.
    duck_dir = work / "duck-in"
    shutil.copytree(small, duck_dir)

    query_before = duckdb_anchor("query", str(small / "**" / "*.parquet"), threads=2)

    # Each side compacts RUNS times, alternating (floe on a fresh copy of its table each time);
    # the median wall time of each is reported, as one run on a shared machine is noise.
    pristine = work / "warehouse-pristine"
    shutil.copytree(warehouse, pristine)
    duck_out_file = work / "duck-out.parquet"
    floe_results, duck_results = [], []
    for run in range(args.runs):
        if run > 0:
            shutil.rmtree(warehouse)
            shutil.copytree(pristine, warehouse)
        floe_cmd = ["/usr/bin/time", "-f", "%M", str(BUILD / "floe"), "compact", "--warehouse",
                    str(warehouse), "--table", "analytics.events", "--force",
                    "--memory-limit-mb", "128", "--json"]
        start = time.monotonic()
        proc = subprocess.run([str(c) for c in floe_cmd], capture_output=True, text=True)
        seconds = time.monotonic() - start
        if proc.returncode != 0:
            sys.exit(f"floe compact failed: {proc.stderr}")
        floe_results.append((seconds, json.loads(proc.stdout.strip().splitlines()[-1]),
                             int(proc.stderr.strip().splitlines()[-1]) * 1024))
        duck_results.append(duckdb_anchor("compact", str(duck_dir / "**" / "*.parquet"),
                                          duck_out_file, threads=2))
    floe_times = [r[0] for r in floe_results]
    floe_s, report, _ = sorted(floe_results, key=lambda r: r[0])[len(floe_results) // 2]
    floe_rss = max(r[2] for r in floe_results)
    duck = median_run(duck_results)
    duck_rss_max = max((r.get("peak_rss_bytes") or 0) for r in duck_results)
    if duck_rss_max:
        duck["peak_rss_bytes"] = duck_rss_max
    outputs = sorted(glob.glob(str(data / "compacted-*.parquet")))
    floe_out = sum(os.path.getsize(f) for f in outputs)

    # One query takes ~10 ms, so one run of each is noise: both are run QUERY_RUNS times,
    # alternating, and the median of each is reported.
    # floe's output is named by its path, like DuckDB's: a glob would make DuckDB list the data
    # folder, which still holds the 500 inputs (a few ms of every ~20 ms query, not the file's).
    floe_query_target = outputs[0] if len(outputs) == 1 else str(data / "compacted-*.parquet")
    floe_runs, duck_runs = [], []
    for _ in range(QUERY_RUNS):
        floe_runs.append(duckdb_anchor("query", floe_query_target, threads=2))
        duck_runs.append(duckdb_anchor("query", str(duck_out_file), threads=2))
    query_floe = median_run(floe_runs)
    query_duck = median_run(duck_runs)

    def ratio(a, b, better_low=True):
        if not a or not b:
            return "n/a"
        r = b / a if better_low else a / b
        return f"floe {r:.2f}x" + (" faster/smaller" if better_low else "")

    print(json.dumps({"floe": {"seconds": floe_s, "seconds_all_runs": floe_times,
                               "peak_rss_bytes": floe_rss,
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
        (f"wall time (median of {args.runs})", f"{floe_s:.2f} s", f"{d_s:.2f} s" if d_s else "?",
         f"{d_s / floe_s:.2f}x" if d_s else "?"),
        ("peak RSS", mb(floe_rss), mb(d_rss) if d_rss else "?",
         f"{d_rss / floe_rss:.2f}x" if d_rss else "?"),
        ("output", mb(floe_out), mb(duck.get("bytes_out", 0) or 0), ""),
        ("query before", f"{query_before.get('seconds', 0):.3f} s", "", ""),
        (f"query after (median of {QUERY_RUNS})", f"{query_floe.get('seconds', 0):.3f} s",
         f"{query_duck.get('seconds', 0):.3f} s", ""),
    ])


if __name__ == "__main__":
    main()
