// Issue 6 must-show 3: after snapshot expiry leaves several snapshots, time travel to each of
// them (floe scan --snapshot-id and --as-of, and the oracle reading that snapshot) gives its
// rows, and every file of the expired snapshots that no remaining snapshot uses is gone from the
// table's folder — while the files the remaining ones read are all there.
import fs from 'node:fs'
import path from 'node:path'
import { env, floe, check, finish, tempDir } from '../lib/common.mjs'
import { createTable, ingest, oracleCheck, snapshotsOf, floeRaw, allFiles } from './tables.mjs'

const { loadTable, Report } = await import(path.join(env.oracle, 'lib', 'iceberg.mjs'))

const wh = tempDir('expire-time-travel')
const T = 'ns.t'
const base = ['--warehouse', wh, '--table', T]
const catalogDb = path.join(wh, 'catalog.db')
const tableDir = path.join(wh, 'ns', 't')
createTable(wh, T)
const PER = 20
let appended = 0
const rowsAt = new Map()  // snapshot id -> rows it holds
const append = () => { ingest(wh, T, appended * PER, PER); appended++ }
for (let i = 0; i < 4; i++) append()
// One replace commit per day partition: the 4 small files of each become one.
const compacted = JSON.parse(floe(['compact', ...base, '--force', '--json']))
check(compacted.commits === 5, `compaction made ${compacted.commits} commits`)
for (let i = 0; i < 3; i++) append()

let appends = 0
for (const s of snapshotsOf(wh, T)) {
  if (s.operation === 'append') appends++
  rowsAt.set(s.snapshot_id, appends * PER)
}
const all = snapshotsOf(wh, T)
check(all.length === 12, `${all.length} snapshots before expiry`)
const snapshotFiles = async (id) => loadTable({ catalogDb, table: T, snapshotId: id }, new Report())
const before = new Map()
for (const s of all) before.set(s.snapshot_id, await snapshotFiles(s.snapshot_id))

const KEEP = 5
const report = JSON.parse(floe(['expire-snapshots', ...base, '--older-than', '0s',
  '--retain-last', String(KEEP), '--json']))
check(report.status === 'success', `expiry: ${JSON.stringify(report)}`)
const remaining = snapshotsOf(wh, T)
check(remaining.length === KEEP, `${remaining.length} snapshots remain`)
const kept = new Set(remaining.map((s) => s.snapshot_id))
const expired = all.filter((s) => !kept.has(s.snapshot_id))
check(report.snapshots_expired.length === expired.length, `${report.snapshots_expired.length} expired`)

// What the remaining snapshots read, and what is on disk.
const used = new Set()
for (const s of remaining) {
  const t = before.get(s.snapshot_id)
  used.add(t.resolve(t.snapshot['manifest-list']))
  for (const m of t.manifests) used.add(m.path)
  for (const f of [...t.dataFiles, ...t.deleteFiles]) used.add(t.resolve(f.file_path))
}
const onDisk = new Set(allFiles(tableDir).filter((f) => !f.endsWith('.metadata.json')))
for (const f of used) check(onDisk.has(f), `used by a remaining snapshot but gone: ${f}`)
const expiredGone = new Set()
for (const s of expired) {
  const t = before.get(s.snapshot_id)
  const files = [t.resolve(t.snapshot['manifest-list']), ...t.manifests.map((m) => m.path),
    ...t.dataFiles.map((f) => t.resolve(f.file_path))]
  for (const f of files) {
    if (used.has(f)) continue
    check(!fs.existsSync(f), `only expired snapshot ${s.snapshot_id} used ${f}, still there`)
    expiredGone.add(f)
  }
}
for (const f of onDisk) check(used.has(f), `on disk but read by no remaining snapshot: ${f}`)
check(expiredGone.size > 0, 'the expired snapshots had files of their own')

// Time travel to each remaining snapshot.
for (const s of remaining) {
  const want = rowsAt.get(s.snapshot_id)
  const byId = JSON.parse(floe(['scan', ...base, '--snapshot-id', s.snapshot_id, '--count', '--json'])).count
  check(byId === want, `floe scan --snapshot-id ${s.snapshot_id}: ${byId}, want ${want}`)
  const asOf = JSON.parse(floe(['scan', ...base, '--as-of', String(s.timestamp_ms), '--count', '--json'])).count
  check(asOf === want, `floe scan --as-of ${s.timestamp_ms}: ${asOf}, want ${want}`)
  const o = oracleCheck(wh, T, s.snapshot_id,
    'SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM t')
  const r = o.sql?.[0] ?? {}
  check(o.ok && Number(r.n) === want && Number(r.ids) === want && Number(r.lo) === 0 &&
    Number(r.hi) === want - 1, `oracle at ${s.snapshot_id}: ${JSON.stringify(r)} ${JSON.stringify(o.errors)}`)
}
const gone = floeRaw(['scan', ...base, '--snapshot-id', expired[0].snapshot_id, '--count'])
check(gone.status !== 0, `an expired snapshot is not readable (exit ${gone.status})`)
const deep = oracleCheck(wh, T)
check(deep.ok, `oracle --deep: ${JSON.stringify(deep.errors)}`)

finish({ snapshots_before: all.length, remaining: remaining.length, files_deleted: report.files_in,
  expired_files_gone: expiredGone.size })
