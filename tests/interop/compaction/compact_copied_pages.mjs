// Compaction's fast path on files another engine wrote: DuckDB writes 40 small zstd files of an
// events table whose `data` column (JSON, ~300 bytes a row, some nulls) has pages of ~150 KB;
// `floe compact` copies those stored pages into its output instead of compressing them again
// (report.bytes_copied), encodes the other columns, and the result must be right for everyone:
// three Parquet readers agree on the output (check-parquet.mjs), the oracle's deep check of the
// table passes, and the rows before (DuckDB reading the inputs) and after (the oracle reading the
// table) are the same multiset.
//
//   node compact_copied_pages.mjs REGISTER_FILES   (through ctest: FLOE_BIN etc. set)
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { env, floe, run, check, finish, tempDir, listFiles, sql, lit } from '../lib/common.mjs'

const oracleLib = (name) => path.join(env.oracle, 'lib', name)
const { loadTable, createView, Report } = await import(oracleLib('iceberg.mjs'))
const { rows } = await import(oracleLib('duck.mjs'))

const register = process.argv[2]
const warehouse = tempDir('compaction-copied')
const dataDir = path.join(warehouse, 'analytics', 'events', 'data')
fs.mkdirSync(dataDir, { recursive: true })

const FILES = 40
const PER_FILE = 500
await sql(`CREATE TABLE ev AS SELECT i,
    'id-' || i AS event_id,
    TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i) AS "timestamp",
    ['click', 'view', 'purchase'][1 + i % 3] AS "type",
    'src-' || (i % 4) AS source,
    CASE WHEN i % 5 = 0 THEN NULL ELSE 'subject-' || (i % 100) END AS subject,
    'u' || (i % 1000) AS user_id,
    's' || (i % 300) AS session_id,
    CASE WHEN i % 11 = 0 THEN NULL
         ELSE '{"n":' || i || ',"pad":"' || repeat(md5(i::VARCHAR), 8) || '"}' END AS "data",
    NULL::VARCHAR AS extensions,
    TIMESTAMPTZ '2026-01-02 00:00:00+00' AS received_at
  FROM range(${FILES * PER_FILE}) t(i)`)
const inputs = []
for (let f = 0; f < FILES; f++) {
  const file = path.join(dataDir, `small-${String(f).padStart(3, '0')}.parquet`)
  await sql(`COPY (SELECT * EXCLUDE (i) FROM ev WHERE i >= ${f * PER_FILE} AND i < ${(f + 1) * PER_FILE})
             TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd)`)
  inputs.push(file)
}
run(register, [warehouse, ...inputs])

const report = JSON.parse(floe(['compact', '--warehouse', warehouse, '--table', 'analytics.events',
  '--force', '--json']))
check(report.status === 'success', `compaction status ${report.status}: ${JSON.stringify(report.groups_skipped)}`)
check(report.files_in === FILES, `files_in ${report.files_in}`)
check(report.rows_in === FILES * PER_FILE && report.rows_out === FILES * PER_FILE,
  `rows in ${report.rows_in} out ${report.rows_out}`)
check(report.bytes_copied > report.bytes_out / 2,
  `bytes_copied ${report.bytes_copied} of ${report.bytes_out} bytes out: the data pages were not copied`)

const outputs = listFiles(dataDir, '.parquet').filter((f) => path.basename(f).startsWith('compacted-'))
check(outputs.length === 1, `${outputs.length} outputs`)
const readers = spawnSync('node', [path.join(env.oracle, 'check-parquet.mjs'), ...outputs],
  { encoding: 'utf8', maxBuffer: 1 << 28 })
check(readers.status === 0, `check-parquet.mjs: ${readers.stdout.slice(-2000)} ${readers.stderr.slice(-2000)}`)

const deep = JSON.parse(run('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
  path.join(warehouse, 'catalog.db'), '--table', 'analytics.events', '--deep']))
check(deep.ok, `oracle --deep: ${JSON.stringify(deep.errors)}`)

const after = await loadTable({ catalogDb: path.join(warehouse, 'catalog.db'),
  table: 'analytics.events' }, new Report())
await createView(after, 'after_rows')
const list = `[${inputs.map(lit).join(', ')}]`
await rows(`CREATE VIEW before_rows AS SELECT * FROM read_parquet(${list})`)
const cols = 'event_id, "timestamp", "type", source, subject, user_id, session_id, "data", extensions, received_at'
const [{ n: lost }] = await rows(`SELECT count(*) AS n FROM (SELECT ${cols} FROM before_rows EXCEPT ALL SELECT ${cols} FROM after_rows)`)
const [{ n: extra }] = await rows(`SELECT count(*) AS n FROM (SELECT ${cols} FROM after_rows EXCEPT ALL SELECT ${cols} FROM before_rows)`)
const [{ n: total, nulls }] = await rows('SELECT count(*) AS n, count(*) FILTER (WHERE "data" IS NULL) AS nulls FROM after_rows')
check(Number(lost) === 0 && Number(extra) === 0, `EXCEPT ALL: ${lost} rows lost, ${extra} rows extra`)
check(Number(total) === FILES * PER_FILE, `rows after ${total}`)
check(Number(nulls) === Math.ceil(FILES * PER_FILE / 11), `null data after ${nulls}`)

finish({ files_in: FILES, bytes_in: report.bytes_in, bytes_out: report.bytes_out,
  bytes_copied: report.bytes_copied })
