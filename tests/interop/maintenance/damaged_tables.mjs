// Issue 6 must-show 2: tables with injected problems — a deleted data file, a truncated
// manifest (each on a table of its own, since the oracle cannot read them), and on a healthy
// table an old unreferenced file, a young unreferenced file and another table nested under its
// location. fsck reports each (JSON checked); expiry and orphan removal never delete a live file,
// the young file or the nested table's files, even with every file made 10 days old; the oracle
// passes on the readable tables after every action; fsck --repair makes the damaged one readable.
import fs from 'node:fs'
import path from 'node:path'
import { env, floe, check, finish, tempDir } from '../lib/common.mjs'
import { createTable, ingest, oracleCheck, floeRaw, allFiles, age } from './tables.mjs'

const { loadTable, Report } = await import(path.join(env.oracle, 'lib', 'iceberg.mjs'))

const wh = tempDir('damaged-tables')
const catalogDb = path.join(wh, 'catalog.db')
const args = (t) => ['--warehouse', wh, '--table', t]
const dirOf = (t) => path.join(wh, ...t.split('.'))
const live = async (t) => {
  const table = await loadTable({ catalogDb, table: t }, new Report())
  return table.dataFiles.map((f) => table.resolve(f.file_path))
}
const fsck = (t, extra = []) => {
  const r = floeRaw(['fsck', ...args(t), '--json', ...extra])
  return { exit: r.status, report: JSON.parse(r.stdout) }
}
const kinds = (report) => report.problems.map((p) => p.kind)
let id = 0
const fill = (t, n) => { for (let i = 0; i < n; i++) { ingest(wh, t, id, 10); id += 10 } }
const oracleOk = (t, when) => {
  const o = oracleCheck(wh, t)
  check(o.ok, `oracle on ${t} ${when}: ${JSON.stringify(o.errors)}`)
}

// The damaged tables.
createTable(wh, 'ns.missing'); fill('ns.missing', 3)
createTable(wh, 'ns.truncated'); fill('ns.truncated', 3)
const missingFile = (await live('ns.missing'))[0]
fs.rmSync(missingFile)
const truncatedTable = await loadTable({ catalogDb, table: 'ns.truncated' }, new Report())
const truncatedManifest = truncatedTable.manifests[0].path
fs.truncateSync(truncatedManifest, Math.floor(fs.statSync(truncatedManifest).size / 2))

// The healthy table, with a compaction so expiry has data files to delete, and a table nested
// under its location.
createTable(wh, 'ns.main'); fill('ns.main', 3)
floe(['compact', ...args('ns.main'), '--force', '--json'])
fill('ns.main', 1)
createTable(wh, 'ns.nested', ['--location', path.join(dirOf('ns.main'), 'nested')]); fill('ns.nested', 2)
const oldOrphan = path.join(dirOf('ns.main'), 'data', 'orphan-old.parquet')
const youngOrphan = path.join(dirOf('ns.main'), 'data', 'orphan-young.parquet')
fs.writeFileSync(oldOrphan, 'left behind by a crashed writer')
age(allFiles(dirOf('ns.main')), 10)  // the nested table's files too: only ownership protects them
fs.writeFileSync(youngOrphan, 'being written right now')
const nestedFiles = allFiles(path.join(dirOf('ns.main'), 'nested'))
oracleOk('ns.main', 'at the start')
oracleOk('ns.nested', 'at the start')

// fsck reports each problem.
let f = fsck('ns.missing')
check(f.exit === 1 && f.report.status === 'failure', `fsck missing: exit ${f.exit}, ${f.report.status}`)
check(f.report.problems.some((p) => p.kind === 'data-file-missing' && p.path.endsWith(path.basename(missingFile))),
  `fsck missing: ${JSON.stringify(f.report.problems)}`)
f = fsck('ns.truncated')
check(f.exit === 1 && f.report.status === 'failure', `fsck truncated: exit ${f.exit}`)
check(f.report.problems.some((p) => p.kind === 'manifest-unreadable' && p.path.endsWith(path.basename(truncatedManifest))),
  `fsck truncated: ${JSON.stringify(f.report.problems)}`)
f = fsck('ns.main')
check(f.exit === 0 && f.report.errors === 0, `fsck main: exit ${f.exit}, ${JSON.stringify(f.report.problems)}`)
const orphanProblems = f.report.problems.filter((p) => p.kind === 'orphan')
check(orphanProblems.length === 1 && orphanProblems[0].path.endsWith('orphan-old.parquet'),
  `fsck main orphans: ${JSON.stringify(orphanProblems)}`)
const young = f.report.problems.find((p) => p.kind === 'young-unreferenced')
check(young && young.detail.startsWith('1 '), `fsck main young: ${JSON.stringify(young)}`)
const other = f.report.problems.find((p) => p.kind === 'other-table-files')
check(other && other.detail.startsWith(`${nestedFiles.length} `), `fsck main nested: ${JSON.stringify(other)} (${nestedFiles.length} files)`)

// Expiry and orphan removal on the healthy table.
const mustStay = () => [...nestedFiles, youngOrphan]
const liveMain = async () => live('ns.main')
let exp = JSON.parse(floe(['expire-snapshots', ...args('ns.main'), '--older-than', '0s', '--retain-last', '2', '--json']))
check(exp.status === 'success' && exp.deleted.files > 0, `expiry main: ${JSON.stringify(exp.deleted)}`)
for (const p of [...await liveMain(), ...mustStay(), oldOrphan]) check(fs.existsSync(p), `expiry deleted ${p}`)
oracleOk('ns.main', 'after expiry'); oracleOk('ns.nested', 'after expiry of ns.main')
let orph = JSON.parse(floe(['remove-orphans', ...args('ns.main'), '--json']))
check(orph.orphans.length === 1 && orph.orphans[0].endsWith('orphan-old.parquet') && !fs.existsSync(oldOrphan),
  `remove-orphans main: ${JSON.stringify(orph.orphans)}`)
check(orph.too_young === 1 && orph.other_tables === nestedFiles.length, `remove-orphans main: young ${orph.too_young}, other ${orph.other_tables}`)
for (const p of [...await liveMain(), ...mustStay()]) check(fs.existsSync(p), `remove-orphans deleted ${p}`)
oracleOk('ns.main', 'after orphan removal'); oracleOk('ns.nested', 'after orphan removal in ns.main')
f = fsck('ns.main')
check(f.exit === 0 && !kinds(f.report).includes('orphan'), `fsck main after: ${JSON.stringify(f.report.problems)}`)
oracleOk('ns.main', 'after fsck')

// The damaged tables: nothing live is deleted; an unreadable manifest stops orphan removal.
const missingLive = (await live('ns.missing')).filter((p) => p !== missingFile)
age(allFiles(dirOf('ns.missing')), 10)
exp = JSON.parse(floe(['expire-snapshots', ...args('ns.missing'), '--older-than', '0s', '--retain-last', '1', '--json']))
check(exp.status === 'success' && exp.deleted.files === 0, `expiry missing: ${JSON.stringify(exp.deleted)}`)
orph = JSON.parse(floe(['remove-orphans', ...args('ns.missing'), '--json']))
check(orph.orphans.length === 0, `remove-orphans missing: ${JSON.stringify(orph.orphans)}`)
for (const p of missingLive) check(fs.existsSync(p), `maintenance of ns.missing deleted ${p}`)
const truncatedBefore = allFiles(dirOf('ns.truncated'))
age(truncatedBefore, 10)
const refused = floeRaw(['remove-orphans', ...args('ns.truncated'), '--json'])
check(refused.status !== 0, `remove-orphans on a truncated manifest exited ${refused.status}`)
check(JSON.stringify(allFiles(dirOf('ns.truncated'))) === JSON.stringify(truncatedBefore), 'remove-orphans changed ns.truncated')

// fsck --repair drops the missing file's reference: the oracle reads the table again.
const repaired = fsck('ns.missing', ['--repair'])
check(repaired.report.repaired?.files_removed === 1, `fsck --repair: ${JSON.stringify(repaired.report.repaired)}`)
oracleOk('ns.missing', 'after fsck --repair')
for (const p of missingLive) check(fs.existsSync(p), `fsck --repair deleted ${p}`)
oracleOk('ns.main', 'at the end'); oracleOk('ns.nested', 'at the end')

finish({ tables: 4, nested_files: nestedFiles.length })
