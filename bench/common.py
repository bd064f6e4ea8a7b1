"""Shared by the benchmark drivers: paths, running tools, DuckDB's anchor, printing ratios.

Every benchmark measures floe and DuckDB on the same data in the same run and prints both
figures and their ratio: these machines are shared and noisy, so only same-run ratios mean
anything."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FLOE_BUILD", ROOT / "build")).resolve()  # node needs absolute paths
SHARED = Path(os.environ.get("FLOE_SHARED", ROOT.parent / "shared"))
ORACLE = BUILD / "oracle"
DATA = Path(os.environ.get("FLOE_BENCH_DATA", BUILD / "bench-data"))


def run_json(cmd, env=None):
    """Runs a command that prints one JSON object as its last line; returns it."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=full_env)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def duckdb_anchor(*args, threads=None):
    env = {"NODE_PATH": str(ORACLE / "node_modules")}
    if threads:
        env["DUCKDB_THREADS"] = str(threads)
    return run_json(["node", SHARED / "bench" / "duckdb-anchor.mjs", *args], env=env)


def events_ndjson(n):
    """The gen_events.py output for n events (cached in the bench data folder)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"events-{n}.ndjson"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        subprocess.run([sys.executable, SHARED / "bench" / "gen_events.py", "--events", str(n),
                        "--out", tmp], check=True)
        tmp.rename(path)
    return path


def print_table(title, rows):
    """rows: (metric, floe, duckdb, ratio text)."""
    print(f"\n{title}")
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    for r in rows:
        print("  " + "  ".join(str(v).ljust(w) for v, w in zip(r, widths)))


def mb(n):
    return f"{n / 1e6:.1f} MB"
