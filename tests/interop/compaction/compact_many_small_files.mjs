// Must-show 1 of issue 5: a table of over 1,000 small files across 40 day partitions is
// compacted by `floe compact`; the oracle checks the table --deep; the rows of the snapshot
// before and after are the same multiset (DuckDB EXCEPT ALL both ways, each snapshot read by the
// oracle); each partition ends with ceil(bytes / target) files, give or take one; a second run
// changes nothing.
//
//   node compact_many_small_files.mjs MAKE_SMALL_FILES   (through ctest: FLOE_BIN etc. set)
import path from 'node:path'
import { env, floe, run, check, finish, tempDir } from '../lib/common.mjs'

const oracleLib = (name) => path.join(env.oracle, 'lib', name)
const { loadTable, createView, Report } = await import(oracleLib('iceberg.mjs'))
const { rows } = await import(oracleLib('duck.mjs'))

const maker = process.argv[2]
const warehouse = tempDir('compaction-many')
const DAYS = 40
const made = JSON.parse(run(maker, [warehouse, String(DAYS), '30', '40']))
check(made.files > 1000, `made ${made.files} small files`)

const base = ['--warehouse', warehouse, '--table', 'ns.events']
const targetMb = 8  // the smallest TARGET_FILE_SIZE_MB floe accepts
const report = JSON.parse(floe(['compact', ...base, '--target-file-size-mb', String(targetMb),
  '--force', '--json']))
check(report.status === 'success', `compaction status ${report.status}: ${JSON.stringify(report.groups_skipped)}`)
check(report.files_in === made.files, `files_in ${report.files_in} of ${made.files}`)
check(report.rows_in === made.rows && report.rows_out === made.rows,
  `rows in ${report.rows_in} out ${report.rows_out}, expected ${made.rows}`)
check(report.groups_done === DAYS, `groups_done ${report.groups_done}`)

// The oracle's own deep check of the compacted table.
const deep = JSON.parse(run('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
  path.join(warehouse, 'catalog.db'), '--table', 'ns.events', '--deep']))
check(deep.ok, `oracle --deep: ${JSON.stringify(deep.errors)}`)

// The same multiset of rows before (the snapshot the maker committed) and now.
const before = await loadTable({ metadataFile: made.metadata.replace(/^file:\/\//, ''),
  snapshotId: made.snapshot_id }, new Report())
await createView(before, 'before_rows')
const after = await loadTable({ catalogDb: path.join(warehouse, 'catalog.db'), table: 'ns.events' },
  new Report())
await createView(after, 'after_rows')
const cols = 'event_id, "timestamp", type, value'
const [{ n: lost }] = await rows(`SELECT count(*) AS n FROM (SELECT ${cols} FROM before_rows EXCEPT ALL SELECT ${cols} FROM after_rows)`)
const [{ n: extra }] = await rows(`SELECT count(*) AS n FROM (SELECT ${cols} FROM after_rows EXCEPT ALL SELECT ${cols} FROM before_rows)`)
const [{ n: total }] = await rows('SELECT count(*) AS n FROM after_rows')
check(Number(lost) === 0 && Number(extra) === 0, `EXCEPT ALL: ${lost} rows lost, ${extra} rows extra`)
check(Number(total) === made.rows, `rows after ${total}, expected ${made.rows}`)
check(before.dataFiles.length === made.files, `before: ${before.dataFiles.length} files`)

// Files per partition: ceil(bytes / target) ± 1.
const target = targetMb * 1024 * 1024
const byPartition = new Map()
for (const df of after.dataFiles) {
  const key = JSON.stringify(df.partition, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  const p = byPartition.get(key) ?? { files: 0, bytes: 0 }
  p.files += 1
  p.bytes += Number(df.file_size_in_bytes)
  byPartition.set(key, p)
}
check(byPartition.size === DAYS, `${byPartition.size} partitions after`)
for (const [key, p] of byPartition) {
  const want = Math.ceil(p.bytes / target)
  check(Math.abs(p.files - want) <= 1, `partition ${key}: ${p.files} files for ${p.bytes} bytes (want ${want} ± 1)`)
}

// Sorted by (type, timestamp) inside every output.
for (const df of after.dataFiles.slice(0, 5)) {
  const f = after.resolve(df.file_path)
  const [{ n: unsorted }] = await rows(`SELECT count(*) AS n FROM (SELECT type, "timestamp", lag(type) OVER () AS pt, lag("timestamp") OVER () AS pts FROM read_parquet('${f}')) WHERE pt > type OR (pt = type AND pts > "timestamp")`)
  check(Number(unsorted) === 0, `${f}: ${unsorted} rows out of sort order`)
}

// A second run changes nothing.
const again = JSON.parse(floe(['compact', ...base, '--target-file-size-mb', String(targetMb),
  '--force', '--json']))
check(again.status === 'noop' && again.commits === 0, `second run: ${again.status}, ${again.commits} commits`)

finish({ files_before: made.files, files_after: after.dataFiles.length, rows: made.rows,
  duration_ms: report.duration_ms, peak_memory_bytes: report.peak_memory_bytes })
