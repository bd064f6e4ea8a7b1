// Read side: floe reads Parquet that DuckDB writes here (several codecs, dictionary and plain
// encodings, data pages v1 and v2 with DELTA_* and BYTE_STREAM_SPLIT, small and large row
// groups, nested types) and every data file of ../shared/fixtures/iceberg, and `floe parquet-cat`
// returns, row by row, the values DuckDB returns.
import path from 'node:path'
import { sql, lit, tempDir, listFiles, env, finish } from '../lib/common.mjs'
import { compareFileWithDuckDB } from './compare.mjs'

const dir = tempDir('pq-read')
const N = 20000
await sql(`CREATE TABLE t AS SELECT
  i::INTEGER AS i32,
  (i * 1000003 - 5000000000)::BIGINT AS i64,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
  CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.25 - 100 END::DOUBLE AS f64,
  (i * 0.5)::FLOAT AS f32,
  'type-' || (i % 50) AS s_dict,
  md5(i::VARCHAR) || repeat('é✓', (i % 5)::INTEGER) AS s_plain,
  CASE WHEN i % 13 = 0 THEN NULL ELSE repeat('x', (i % 3000)::INTEGER) END AS s_long,
  DATE '2026-01-01' + (i % 400)::INTEGER AS d,
  TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds(i * 1234567) AS ts,
  TIMESTAMP '2025-06-01 00:00:00' + to_microseconds(i * 7) AS ts_local,
  TIME '00:00:00' + to_microseconds((i * 1000001) % 86400000000) AS tm,
  (i * 1.01 - 50)::DECIMAL(9,2) AS dec9,
  (i * 100.0001)::DECIMAL(18,4) AS dec18,
  (i * 12345.6789)::DECIMAL(38,10) AS dec38,
  md5(i::VARCHAR)::UUID AS id,
  encode('bin-' || i)::BLOB AS bin,
  CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN [] ELSE [i, i + 1, NULL] END AS lst,
  CASE WHEN i % 9 = 0 THEN NULL ELSE {'a': i, 'b': 'x' || i, 'c': [i % 4]} END AS st,
  CASE WHEN i % 6 = 0 THEN NULL ELSE MAP {'k' || (i % 3): i} END AS mp
FROM range(${N}) r(i)`)

const variants = []
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4']) {
  variants.push({ name: `${codec}-v1`, opts: `COMPRESSION ${codec}` })
}
variants.push({ name: 'zstd-v2', opts: `COMPRESSION zstd, PARQUET_VERSION V2` })
variants.push({ name: 'snappy-v2-small-rg', opts: `COMPRESSION snappy, PARQUET_VERSION V2, ROW_GROUP_SIZE 1000` })
variants.push({ name: 'none-small-rg', opts: `COMPRESSION uncompressed, ROW_GROUP_SIZE 777` })
variants.push({ name: 'no-dictionary', opts: `COMPRESSION zstd, DICTIONARY_SIZE_LIMIT 1` })

let rows = 0
const files = []
for (const v of variants) {
  const f = path.join(dir, `${v.name}.parquet`)
  await sql(`COPY t TO ${lit(f)} (FORMAT parquet, ${v.opts})`)
  files.push(f)
}
// A large file with big row groups and many pages per chunk.
const big = path.join(dir, 'large.parquet')
await sql(`COPY (SELECT i::BIGINT AS n, 'v' || (i % 1000) AS s, i * 0.5 AS x FROM range(600000) r(i))
           TO ${lit(big)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 300000)`)
files.push(big)

for (const f of files) rows += await compareFileWithDuckDB(f, path.basename(f))

const fixtures = listFiles(path.join(env.shared, 'fixtures', 'iceberg'), '.parquet')
for (const f of fixtures) rows += await compareFileWithDuckDB(f, path.relative(env.shared, f))

finish({ test: 'parquet_read_duckdb', files: files.length + fixtures.length, rows })
