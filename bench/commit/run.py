#!/usr/bin/env python3
"""bench/commit: commit latency and planning time as a table grows (not a test).

Runs floe_bench_commit (LocalStore warehouse + SQLite catalog in a temp folder): fast appends of
10 data files (events schema, day partitions, full column metrics) until the table holds
--files data files (default 100,000), snapshots expired every 100 commits keeping 100, as
floe serve would (without expiry every metadata file holds every snapshot and commits slow down
with the number of commits). Prints commit latency mean/p50/p99/max per tenth of the run's table
size and the planning time (PlanScan without a filter: catalog → metadata → manifest list →
every manifest, live files listed; best of 3) at 1k, 10k, 100k files. Targets: commit time flat in table size; planning 100,000 files < 1 s.

Usage: python3 bench/commit/run.py [--files N] [--files-per-commit K] [--expire-every C]
Use a release build (FLOE_BUILD=build-rel; the Debug+ASan build has no benchmarks)."""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import BUILD, run_json  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--files-per-commit", type=int, default=10)
    ap.add_argument("--expire-every", type=int, default=100, help="commits between expiries (0: never)")
    args = ap.parse_args()
    tool = BUILD / "bench" / "floe_bench_commit"
    if not tool.exists():
        sys.exit(f"{tool} missing: build the floe_bench_commit target first")
    r = run_json([tool, "--files", args.files, "--files-per-commit", args.files_per_commit,
                  "--expire-every", args.expire_every])
    print(f"\nbench/commit: {r['files']:,} data files in appends of {r['files_per_commit']}, "
          f"{r['seconds']:.0f} s, peak RSS {r['peak_rss_bytes'] / 1e6:.0f} MB")
    print("\ncommit latency by table size (files before the commit)")
    print(f"  {'table files':<12}{'commits':>8}{'mean ms':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}{'manifests read/commit':>23}")
    for c in r["commits"]:
        print(f"  {c['table_files']:<12}{c['commits']:>8}{c['mean_ms']:>9.1f}{c['p50_ms']:>9.1f}"
              f"{c['p99_ms']:>9.1f}{c['max_ms']:>9.1f}{c['manifests_read_per_commit']:>23.2f}")
    print("\nplanning (PlanScan without a filter: every live file of the current snapshot)")
    print(f"  {'files':>8}{'manifests':>11}{'wall ms':>9}{'cpu ms':>9}{'all-metrics cpu ms':>20}"
          f"{'metadata bytes':>16}")
    for p in r["planning"]:
        print(f"  {p['files']:>8}{p['manifests']:>11}{p['total_ms']:>9.1f}{p['cpu_ms']:>9.1f}"
              f"{p['full_read_cpu_ms']:>20.1f}{p['metadata_bytes']:>16}")
    if r.get("expiries"):
        print(f"\n{r['expiries']} snapshot expiries, {r['expire_ms_mean']:.0f} ms each on average")
    print("\nraw:", r)


if __name__ == "__main__":
    main()
