#!/usr/bin/env python3
"""bench/parquet: Parquet encode and decode speed, floe vs DuckDB, same rows, same run.

1. gen_events.py → 1,000,000 events (NDJSON), converted by DuckDB to the events table's columns
   (duckdb-anchor.mjs ingest): that file is the input rows of both encoders.
2. Encode: DuckDB `write` (rows in memory → zstd Parquet) vs `floe_bench_parquet encode` (rows
   decoded into memory first, then only the encode is timed).
3. Decode: DuckDB `scan` (every column of every row) vs `floe_bench_parquet decode` (every column
   of every row group into column vectors), each on its own output file and on the other's.

Both sides run with --threads T (default 2, the machine's cores): DuckDB's threads, floe's
WriterOptions::threads for the encode; for the decode, row groups spread over T threads when there
are at least 2T of them, else one row group at a time with its columns on T threads
(ReaderOptions::threads; a thread with no column left decompresses pages of the others).

floe encodes once per zstd level in --levels (default 1,3): level 1 is floe's default (and
Arrow C++'s); level 3 is DuckDB's default and is printed too, like with like. On these rows level
1 is both faster and smaller (the random-looking id columns compress better with its longer
minimum match). The decode reads the file of the first level.

Usage: python3 bench/parquet/run.py [--events N] [--threads T] [--levels 1,3]
(run `make build` first)"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import BUILD, DATA, duckdb_anchor, events_ndjson, mb, print_table, run_json  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2, help="threads of DuckDB and of floe (default 2)")
    ap.add_argument("--levels", default="1,3", help="zstd levels of floe's encodes (default 1,3)")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    tool = BUILD / "bench" / "floe_bench_parquet"
    if not tool.exists():
        sys.exit(f"{tool} missing: run `make build` first")

    ndjson = events_ndjson(args.events)
    rows_file = DATA / f"events-{args.events}.duckdb.parquet"
    if not rows_file.exists():
        duckdb_anchor("ingest", ndjson, rows_file, threads=args.threads)

    duck_out = DATA / "bench-duckdb-write.parquet"
    floe_outs = {lvl: DATA / f"bench-floe-write-zstd{lvl}.parquet" for lvl in levels}
    floe_out = floe_outs[levels[0]]
    duck_w = duckdb_anchor("write", rows_file, duck_out, threads=args.threads)
    floe_ws = {lvl: run_json([tool, "encode", rows_file, floe_outs[lvl], "--threads", args.threads,
                              "--level", lvl]) for lvl in levels}
    floe_w = floe_ws[levels[0]]
    duck_s = duckdb_anchor("scan", str(duck_out), threads=args.threads)
    floe_s = run_json([tool, "decode", floe_out, "--threads", args.threads])
    floe_s_duckfile = run_json([tool, "decode", duck_out, "--threads", args.threads])
    duck_s_floefile = duckdb_anchor("scan", str(floe_out), threads=args.threads)

    def ratio(a, b, better="higher"):
        if not a or not b:
            return "n/a"
        r = a / b
        return f"{r:.2f}x" + (" (floe/duckdb)" if better == "higher" else " (floe/duckdb, lower is better)")

    rows = [("metric", "floe", "duckdb", "ratio")]
    for lvl, w in floe_ws.items():
        tag = f"floe zstd {lvl}, duckdb zstd default"
        rows.append((f"encode rows/s ({tag})", f"{w['rows_per_s']:,}", f"{duck_w['encode_rows_per_s']:,}",
                     ratio(w["rows_per_s"], duck_w["encode_rows_per_s"])))
        rows.append((f"encode seconds ({tag})", w["seconds"], duck_w["encode_seconds"], ""))
        rows.append((f"output bytes ({tag})", mb(w["bytes_out"]), mb(duck_w["bytes_out"]),
                     ratio(w["bytes_out"], duck_w["bytes_out"], "lower")))
        rows.append((f"encode peak RSS, whole process (floe zstd {lvl})", mb(w["peak_rss_bytes"]),
                     mb(duck_w["peak_rss_bytes"]), ""))
    duck_scan_rps = duck_s["rows"] / duck_s["seconds"]
    rows.append(("decode rows/s (own file)", f"{floe_s['rows_per_s']:,}", f"{round(duck_scan_rps):,}",
                 ratio(floe_s["rows_per_s"], duck_scan_rps)))
    rows.append(("decode seconds (own file)", floe_s["seconds"], duck_s["seconds"], ""))
    rows.append(("decode rows/s (DuckDB's file)", f"{floe_s_duckfile['rows_per_s']:,}", "", ""))
    rows.append(("decode rows/s (floe's file)", "", f"{round(duck_s_floefile['rows'] / duck_s_floefile['seconds']):,}", ""))
    rows.append(("decode peak RSS", mb(floe_s["peak_rss_bytes"]), mb(duck_s["peak_rss_bytes"]), ""))
    print_table(f"bench/parquet: {floe_w['rows']:,} events, zstd, threads={args.threads} (DuckDB and floe)", rows)
    print("\nraw:", {"floe_encode": floe_ws, "duckdb_write": duck_w, "floe_decode": floe_s,
                     "duckdb_scan": duck_s, "floe_decode_duckdb_file": floe_s_duckfile,
                     "duckdb_scan_floe_file": duck_s_floefile})


if __name__ == "__main__":
    main()
