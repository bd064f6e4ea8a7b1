// Must-show 6 of issue 5: tables written by other engines compact correctly. Every table of
// ../shared/fixtures/iceberg is copied (relocate_fixture.py: absolute paths, registered in a
// SQLite catalog), compacted with `floe compact --force --aggressive`, and then:
//  - EXPECTED.json's checks give the expected results on the compacted table (the same checks as
//    scan_fixtures.mjs, from fixture_checks.mjs), the row count too;
//  - where the run committed, the oracle (check-table.mjs --deep) finds no problem in the new
//    snapshot that the old one did not have (some fixtures were edited by hand: manifest file
//    sizes that do not match, v3 defaults in a v2 table), and reads the same rows in both (DuckDB
//    over the live rows, sorted) where its plain reading of the files is what a reader sees;
//  - rows in = rows out in every report; groups left alone say why (live delete files, another
//    partition spec, a single file).
// Tables whose files miss identity partition columns, take initial defaults or need the name
// mapping are rewritten with the values a reader sees, never nulls.
//
//   node compact_fixtures.mjs RELOCATE_FIXTURE_PY   (through ctest: FLOE_BIN etc. set)
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { check, env, finish, floe, run, tempDir } from '../lib/common.mjs'
import { runCheck, scan } from '../iceberg/fixture_checks.mjs'

const relocate = process.argv[2]
const fixtures = path.join(env.shared, 'fixtures', 'iceberg')
const expected = JSON.parse(fs.readFileSync(path.join(fixtures, 'EXPECTED.json'), 'utf8'))
const root = tempDir('compact-fixtures')
const warehouse = path.join(root, 'warehouse')
fs.mkdirSync(warehouse)
const catalogDb = path.join(warehouse, 'catalog.db')

// check-table.mjs --deep of the table at `metadata` (a metadata file of the copy).
function oracle(table, metadata, sql, label) {
  // The oracle's stdout goes to a file: Node cuts piped output short when a script exits.
  const out = path.join(root, `${table}.${label}.oracle.json`)
  const fd = fs.openSync(out, 'w')
  spawnSync('node', [path.join(env.oracle, 'check-table.mjs'), '--metadata', metadata, '--deep',
    ...(sql ? ['--sql', sql] : [])], { stdio: ['ignore', fd, 'inherit'] })
  fs.closeSync(fd)
  try { return JSON.parse(fs.readFileSync(out, 'utf8')) } catch { return null }
}

// The live rows as sorted JSON lines, from the oracle's DuckDB view (column order as written).
const rowsSql = 'SELECT to_json(t) AS j FROM t ORDER BY j'
const rowsOf = (report) => (report?.sql ?? []).map((r) => r.j)
// The oracle reads data files as they are: it neither fills identity partition columns that
// writers left out of the files (the DuckDB-rewritten fixtures, whose manifest sizes no longer
// match), nor initial defaults, nor columns found by name mapping, nor applies deletes. For those
// tables the rows before and after are compared through EXPECTED.json's checks (floe scan,
// which follows the spec's rules) instead of the oracle's view.
const oracleReadsRows = (t) => !t.has_deletes && t.manifest_file_size_mismatch_files === 0 &&
  !/initial_defaults|name_mapping/.test(t.name)

const summary = []
for (const t of expected.tables) {
  const dest = path.join(root, t.name)
  const keep = t.original_location.startsWith('./') ? ['keep'] : []
  const metadata = run('/usr/bin/python3', [relocate, path.join(fixtures, t.dir), dest,
    t.original_location_prefix, catalogDb, 'fx', t.name, t.metadata_file, ...keep]).trim()
  check(fs.existsSync(metadata), `${t.name}: relocated metadata ${metadata}`)

  const args = ['--warehouse', warehouse, '--catalog', `sqlite:${catalogDb}`, '--table', `fx.${t.name}`]
  const r = spawnSync(env.floe, ['compact', ...args, '--force', '--aggressive', '--json'],
    { encoding: 'utf8' })
  let report = null
  try { report = JSON.parse(r.stdout) } catch { /* checked below */ }
  if (!check(report !== null && r.status === 0,
    `${t.name}: floe compact exited ${r.status}: ${r.stdout.slice(0, 2000)} ${r.stderr.slice(0, 2000)}`)) {
    continue
  }
  check(report.status === 'success' || report.status === 'noop',
    `${t.name}: compaction ${report.status}: ${report.error ?? ''}`)
  check(report.rows_in === report.rows_out, `${t.name}: rows in ${report.rows_in} out ${report.rows_out}`)
  for (const g of report.groups_skipped) {
    check(typeof g.reason === 'string' && g.reason.length > 0, `${t.name}: skipped group without a reason`)
  }

  // The checks read the table where the catalog now points (the compacted snapshot).
  const now = run('sqlite3', [catalogDb, `SELECT metadata_location FROM iceberg_tables WHERE table_name = '${t.name}'`]).trim()
  if (report.commits > 0) check(now !== metadata, `${t.name}: committed a new metadata file`)
  const count = scan(['--metadata', now, '--count']).trim()
  check(count === String(t.row_count), `${t.name}: --count ${count} after compaction, expected ${t.row_count}`)
  for (const c of t.checks) {
    // Checks of older metadata versions read those files in the copy (time travel).
    const mf = c.metadata_file ? path.join(dest, c.metadata_file) : now
    runCheck(t, c, mf, `${t.name} (compacted)`)
  }

  // A table the run did not change is the copy as it was; the others go to the oracle, before
  // (the registered metadata) and after.
  if (report.commits > 0) {
    const sql = oracleReadsRows(t) ? rowsSql : null
    const before = oracle(t.name, metadata, sql, 'before')
    const after = oracle(t.name, now, sql, 'after')
    check(before !== null && after !== null, `${t.name}: the oracle reads the table before and after`)
    const known = new Set(before?.errors ?? [])
    const fresh = (after?.errors ?? []).filter((e) => !known.has(e))
    check(fresh.length === 0, `${t.name}: oracle errors after compaction: ${JSON.stringify(fresh).slice(0, 3000)}`)
    if (sql) {
      const a = rowsOf(before)
      const b = rowsOf(after)
      check(a.length === t.row_count && JSON.stringify(a) === JSON.stringify(b),
        `${t.name}: rows before and after differ: ${a.length} vs ${b.length}; ` +
        `${JSON.stringify(a.slice(0, 3))} vs ${JSON.stringify(b.slice(0, 3))}`)
    }
  }
  summary.push({ table: t.name, status: report.status, files_in: report.files_in,
    files_out: report.files_out, skipped: report.groups_skipped.map((g) => g.reason) })
}
for (const s of summary) console.log(JSON.stringify(s))
check(summary.filter((s) => s.files_in > 0).length >= 4, 'several fixture tables were rewritten')
finish({ tables: summary.length, compacted: summary.filter((s) => s.files_in > 0).length })
