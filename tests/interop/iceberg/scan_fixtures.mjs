// Must-show 1 of issue 3: every table of ../shared/fixtures/iceberg (written by Spark, Java
// Iceberg, PyIceberg; paths relocated) opens through `floe scan --metadata`, and `--count` and
// every check of EXPECTED.json give the expected results, deletes applied. Tables that ship a
// SQL catalog file (PyIceberg's SqlCatalog) also open through `--catalog sqlite:...`, from a
// scratch copy (the fixtures are read-only).
import fs from 'node:fs'
import path from 'node:path'
import { check, env, finish, run, tempDir } from '../lib/common.mjs'
import { floeFilter, rowsOf, runCheck, scan, scanCount } from './fixture_checks.mjs'

const fixtures = path.join(env.shared, 'fixtures', 'iceberg')
const expected = JSON.parse(fs.readFileSync(path.join(fixtures, 'EXPECTED.json'), 'utf8'))

const results = []
for (const t of expected.tables) {
  const dir = path.join(fixtures, t.dir)
  const metadata = path.join(dir, t.metadata_file)
  // The metadata file, and the table folder (version-hint.text or the highest version).
  const count = scan(['--metadata', metadata, '--count']).trim()
  check(count === String(t.row_count), `${t.name}: --count ${count}, expected ${t.row_count}`)
  const folder = path.join(dir, t.table_root)
  const folderCount = scan(['--metadata', folder, '--count']).trim()
  check(folderCount === String(t.row_count),
    `${t.name}: --count of folder ${t.table_root}: ${folderCount}, expected ${t.row_count}`)
  const all = rowsOf(scan(['--metadata', metadata]))
  check(all.length === t.row_count, `${t.name}: ${all.length} NDJSON rows, expected ${t.row_count}`)
  let partial = 0
  for (const c of t.checks) {
    const mf = c.metadata_file ? path.join(dir, c.metadata_file) : metadata
    if (runCheck(t, c, mf, t.name) === 'partial') partial++
  }
  results.push({ table: t.name, checks: t.checks.length, partial })
}

// Tables with a PyIceberg / JDBC catalog file: open them through the SQL catalog. The catalog's
// metadata pointers are relative to the writer's working directory (data/persistent/<name>/...),
// so the copy recreates that layout and floe runs from its root.
let catalogTables = 0
for (const t of expected.tables) {
  const dir = path.join(fixtures, t.dir)
  for (const db of fs.readdirSync(dir).filter((f) => f.endsWith('.db'))) {
    const dbPath = path.join(dir, db)
    if (!fs.statSync(dbPath).isFile() || fs.statSync(dbPath).size === 0) continue
    let rows
    try {
      rows = run('sqlite3', ['-separator', '\t', dbPath,
        'select catalog_name, table_namespace, table_name from iceberg_tables'])
    } catch {
      continue // not a catalog (an empty DuckDB file)
    }
    for (const line of rows.split('\n').filter((l) => l)) {
      const [catalog, ns, name] = line.split('\t')
      const root = tempDir('scan-catalog')
      const copy = path.join(root, t.source_folder)
      fs.mkdirSync(path.dirname(copy), { recursive: true })
      fs.cpSync(dir, copy, { recursive: true })
      for (const f of fs.readdirSync(copy, { recursive: true })) {
        fs.chmodSync(path.join(copy, f), fs.statSync(path.join(copy, f)).isDirectory() ? 0o755 : 0o644)
      }
      fs.chmodSync(copy, 0o755)
      const args = ['--warehouse', path.join(root, 'warehouse'), '--catalog', `sqlite:${path.join(copy, db)}`,
        '--catalog-name', catalog, '--table', `${ns}.${name}`]
      const got = scan([...args, '--count'], { cwd: root }).trim()
      check(got === String(t.row_count),
        `${t.name}: through catalog ${db} (${catalog}, ${ns}.${name}): --count ${got}, expected ${t.row_count}`)
      const first = t.checks.find((c) => c.aggregate === 'count(*)' && c.filter && !c.metadata_file)
      if (first) {
        const { where } = floeFilter(first.filter)
        const n = scan([...args, '--count', '--where', where], { cwd: root }).trim()
        check(n === String(first.expected), `${t.name}: through catalog, ${first.filter}: ${n}`)
      }
      catalogTables++
    }
  }
}
check(catalogTables >= 5, `expected the 5 fixture catalogs to open, opened ${catalogTables}`)

finish({ tables: results.length, checks: results.reduce((a, r) => a + r.checks, 0),
  partial: results.reduce((a, r) => a + r.partial, 0), catalog_tables: catalogTables, scans: scanCount() })
