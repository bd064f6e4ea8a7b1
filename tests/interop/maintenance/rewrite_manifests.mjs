// floe rewrite-manifests on a table of many appends: the oracle checks the table --deep after
// it, the rows are the same multiset before and after (DuckDB EXCEPT ALL both ways), the current
// snapshot has fewer manifests, a second run is a no-op, and time travel to older snapshots
// (floe scan --snapshot-id / --as-of, the oracle) still reads their rows.
import path from 'node:path'
import { env, floe, check, finish, tempDir } from '../lib/common.mjs'
import { createTable, ingest, oracleCheck, snapshotsOf } from './tables.mjs'

const { loadTable, createView, Report } = await import(path.join(env.oracle, 'lib', 'iceberg.mjs'))
const { rows } = await import(path.join(env.oracle, 'lib', 'duck.mjs'))

const wh = tempDir('rewrite-manifests')
const T = 'ns.t'
const base = ['--warehouse', wh, '--table', T]
createTable(wh, T)
// Each append writes one file per day it touches: 150 data files in 30 manifests.
const APPENDS = 30, PER = 20
const snapshots = []
for (let i = 0; i < APPENDS; i++) snapshots.push(ingest(wh, T, i * PER, PER))
const catalogDb = path.join(wh, 'catalog.db')

const before = await loadTable({ catalogDb, table: T }, new Report())
await createView(before, 'before_rows')
check(before.manifests.length === APPENDS, `${before.manifests.length} manifests before`)

// The default target (8 MB) takes all in one manifest (several manifests, each a run of
// partitions, are the unit test's: maintenance_rewrite_manifests_test).
const target = []
const dry = JSON.parse(floe(['rewrite-manifests', ...base, ...target, '--dry-run', '--json']))
check(dry.status === 'success' && dry.commits === 0 && dry.files_in === APPENDS,
  `dry run: ${JSON.stringify(dry)}`)
const report = JSON.parse(floe(['rewrite-manifests', ...base, ...target, '--json']))
check(report.status === 'success' && report.commits === 1, `rewrite: ${JSON.stringify(report)}`)
check(report.files_in === APPENDS && report.manifests_after === 1,
  `manifests ${report.manifests_before} -> ${report.manifests_after}`)
check(report.rows_in === APPENDS * PER && report.rows_out === APPENDS * PER,
  `rows in ${report.rows_in} out ${report.rows_out}`)

const fsck = JSON.parse(floe(['fsck', ...base, '--json']))
check(fsck.status === 'success' && fsck.errors === 0, `fsck after: ${JSON.stringify(fsck.problems)}`)
const deep = oracleCheck(wh, T)
check(deep.ok, `oracle --deep after the rewrite: ${JSON.stringify(deep.errors)}`)
const after = await loadTable({ catalogDb, table: T }, new Report())
await createView(after, 'after_rows')
check(after.snapshot.summary.operation === 'replace', `operation ${after.snapshot.summary.operation}`)
check(after.manifests.length === report.manifests_after && after.manifests.length < APPENDS,
  `${after.manifests.length} manifests after`)
for (const m of after.manifests) {
  for (const e of m.records) check(e.status === 0, `entry status ${e.status} in ${m.path}`)
}
const cols = 'id, ts, kind'
const [{ n: lost }] = await rows(`SELECT count(*) AS n FROM (SELECT ${cols} FROM before_rows EXCEPT ALL SELECT ${cols} FROM after_rows)`)
const [{ n: extra }] = await rows(`SELECT count(*) AS n FROM (SELECT ${cols} FROM after_rows EXCEPT ALL SELECT ${cols} FROM before_rows)`)
const [{ n: total }] = await rows('SELECT count(*) AS n FROM after_rows')
check(Number(lost) === 0 && Number(extra) === 0, `EXCEPT ALL: ${lost} lost, ${extra} extra`)
check(Number(total) === APPENDS * PER, `${total} rows after`)
// Data files keep the snapshot that added them and their sequence numbers.
const key = (f) => `${f.file_path} ${f.snapshot_id} ${f.data_sequence_number}`
const keysBefore = before.dataFiles.map(key).sort().join('\n')
check(after.dataFiles.map(key).sort().join('\n') === keysBefore, 'files, snapshot ids and sequence numbers kept')

// Time travel to older snapshots, by id and by time.
const byId = new Map(snapshotsOf(wh, T).map((s) => [s.snapshot_id, s]))
for (const k of [0, 9, APPENDS - 1]) {
  const id = String(snapshots[k])
  const want = (k + 1) * PER
  const byIdCount = JSON.parse(floe(['scan', ...base, '--snapshot-id', id, '--count', '--json'])).count
  check(byIdCount === want, `floe scan --snapshot-id ${id}: ${byIdCount}, want ${want}`)
  const ts = String(byId.get(id).timestamp_ms)
  const asOf = JSON.parse(floe(['scan', ...base, '--as-of', ts, '--count', '--json'])).count
  check(asOf === want, `floe scan --as-of ${ts}: ${asOf}, want ${want}`)
  const old = oracleCheck(wh, T, id, 'SELECT count(*) AS n, max(id) AS top FROM t')
  check(old.ok && Number(old.sql[0].n) === want && Number(old.sql[0].top) === want - 1,
    `oracle at snapshot ${id}: ${JSON.stringify(old.sql)} ${JSON.stringify(old.errors)}`)
}

// Clustered: each manifest's day range ends where the next one's begins.
let lastDay = -Infinity
for (const m of after.manifests) {
  const days = m.records.map((e) => Number(e.data_file.partition.ts_day))
  check(Math.min(...days) >= lastDay, `manifest ${m.path} starts at day ${Math.min(...days)} < ${lastDay}`)
  lastDay = Math.max(...days)
}

const again = JSON.parse(floe(['rewrite-manifests', ...base, ...target, '--json']))
check(again.status === 'noop' && again.commits === 0, `second run: ${again.status}`)

finish({ manifests_before: report.manifests_before, manifests_after: report.manifests_after,
  rows: Number(total), duration_ms: report.duration_ms })
