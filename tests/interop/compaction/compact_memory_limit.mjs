// Must-show 3 of issue 5: `floe compact --memory-limit-mb 128` on over 1 GiB of Parquet input
// keeps the process's peak RSS under 128 MiB plus a baseline: the peak RSS of the same command on
// a tiny table of the same shape (binary, libraries, catalog, allocator arenas), measured first
// in this run. Inputs are few rows with large random strings (make_small_files PAYLOAD_BYTES), so
// the gigabyte is made and compacted in seconds. Rows in = rows out, and the oracle reads the
// compacted table. The gigabyte is deleted at the end, pass or fail.
//
//   node compact_memory_limit.mjs MAKE_SMALL_FILES   (through ctest: FLOE_BIN etc. set)
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { env, run, check, finish, tempDir, listFiles } from '../lib/common.mjs'

const MiB = 1024 * 1024
const LIMIT_MB = 128
// Allocator and page-cache noise around the limit; the compactor's own accounting is checked
// against the limit exactly (report.peak_memory_bytes).
const MARGIN_MB = 16

const maker = process.argv[2]

// Runs `floe compact` under /usr/bin/time; returns the report and the peak RSS in bytes.
function compact(warehouse) {
  const rssFile = path.join(warehouse, 'maxrss')
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, env.floe, 'compact',
    '--warehouse', warehouse, '--table', 'ns.events', '--force', '--memory-limit-mb',
    String(LIMIT_MB), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 })
  if (r.status !== 0) throw new Error(`floe compact exited ${r.status}: ${r.stderr}`)
  const rssKb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop())
  return { report: JSON.parse(r.stdout), rss: rssKb * 1024 }
}

const small = tempDir('compaction-mem-base')
run(maker, [small, '1', '6', '40', '1000'])
const base = compact(small)
check(base.report.status === 'success', `baseline compaction: ${base.report.status}`)

const big = tempDir('compaction-mem-big')
let summary = {}
try {
  // 4 days x 16 files x 360 rows x 64 KiB of payload: 1.4 GiB of text, ~1.05 GiB as zstd Parquet.
  const t0 = Date.now()
  const made = JSON.parse(run(maker, [big, '4', '16', '360', String(64 * 1024)]))
  const makeMs = Date.now() - t0
  const inputBytes = listFiles(path.join(big, 'ns', 'events', 'data'), '.parquet')
    .reduce((n, f) => n + fs.statSync(f).size, 0)
  check(inputBytes >= 1024 * MiB, `input is ${inputBytes} bytes, want at least 1 GiB`)

  const t1 = Date.now()
  const { report, rss } = compact(big)
  const compactMs = Date.now() - t1
  check(report.status === 'success', `compaction status ${report.status}: ${JSON.stringify(report.groups_skipped)}`)
  check(report.files_in === made.files, `files_in ${report.files_in} of ${made.files}`)
  check(report.rows_in === made.rows && report.rows_out === made.rows,
    `rows in ${report.rows_in} out ${report.rows_out}, expected ${made.rows}`)
  check(report.bytes_in === inputBytes, `bytes_in ${report.bytes_in}, files hold ${inputBytes}`)
  check(report.peak_memory_bytes <= LIMIT_MB * MiB,
    `reported peak memory ${report.peak_memory_bytes} over the ${LIMIT_MB} MiB limit`)
  const bound = (LIMIT_MB + MARGIN_MB) * MiB + base.rss
  check(rss <= bound, `peak RSS ${(rss / MiB).toFixed(1)} MiB over ${LIMIT_MB} MiB + baseline ` +
    `${(base.rss / MiB).toFixed(1)} MiB + margin ${MARGIN_MB} MiB`)

  const oracle = JSON.parse(run('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
    path.join(big, 'catalog.db'), '--table', 'ns.events']))
  check(oracle.ok, `oracle: ${JSON.stringify(oracle.errors)}`)
  summary = {
    input_bytes: inputBytes, files_in: report.files_in, files_out: report.files_out,
    rows: made.rows, make_ms: makeMs, compact_ms: compactMs,
    peak_rss_mib: +(rss / MiB).toFixed(1), baseline_rss_mib: +(base.rss / MiB).toFixed(1),
    bound_mib: +(bound / MiB).toFixed(1), reported_peak_memory_mib: +(report.peak_memory_bytes / MiB).toFixed(1),
  }
} finally {
  fs.rmSync(big, { recursive: true, force: true })
}
finish(summary)
