// Write side: files floe writes — every type, required and optional, nested structs, lists and
// maps, for each codec and encoding, empty files, one row, all-null columns, extreme values and
// NaN — pass check-parquet.mjs (DuckDB, hyparquet and arrow-rs agree), `floe parquet-cat` returns
// exactly the rows the generator meant to write, and DuckDB's read_parquet returns the same values.
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { tempDir, env, floe, parseJsonExact, check, finish } from '../lib/common.mjs'
import { compareFileWithDuckDB, sameNested } from './compare.mjs'

const dir = tempDir('pq-write')
const samples = path.join(env.build, 'tests', 'interop', 'parquet', 'parquet_write_samples')
const gen = spawnSync(samples, [dir], { encoding: 'utf8' })
if (!check(gen.status === 0, `parquet_write_samples failed: ${gen.stderr}`)) finish({ test: 'parquet_write_oracle' })
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort().map((f) => path.join(dir, f))
check(files.length >= 10, `expected at least 10 sample files, got ${files.length}`)

// 1. Three independent readers agree. check-parquet.mjs matches leaf columns across readers by
// name, so it gets the files whose leaf names are unique ("oracle-*", every type, one list, one
// map, a struct) and the flat ones; the others (lists of lists, lists of structs, repeated
// "element" names) are covered by 2 and 3.
const oracleFiles = files.filter((f) => /\/(oracle-|flat-)/.test(f))
check(oracleFiles.length >= 12, `expected at least 12 oracle files, got ${oracleFiles.length}`)
const oracle = spawnSync('node', [path.join(env.oracle, 'check-parquet.mjs'), ...oracleFiles], { encoding: 'utf8', maxBuffer: 1 << 28 })
if (!check(oracle.status === 0, 'check-parquet.mjs failed')) {
  for (const line of oracle.stdout.split('\n').filter((l) => l)) {
    const r = JSON.parse(line)
    if (!r.ok) console.error(`  ${path.basename(r.file)}: ${JSON.stringify(r.problems)}`)
  }
  console.error(oracle.stderr)
}

let rows = 0
for (const f of files) {
  const label = path.basename(f)
  // 2. floe reads back exactly what the generator meant to write.
  const expected = fs.readFileSync(f.replace(/\.parquet$/, '.expected.ndjson'), 'utf8').split('\n').filter((l) => l)
  const got = floe(['parquet-cat', f]).split('\n').filter((l) => l)
  if (check(got.length === expected.length, `${label}: parquet-cat gave ${got.length} rows, expected ${expected.length}`)) {
    let bad = 0
    for (let i = 0; i < got.length; i++) {
      if (!sameNested(parseJsonExact(got[i]), parseJsonExact(expected[i])) && bad++ < 3) {
        check(false, `${label}: row ${i}:\n  floe:     ${got[i].slice(0, 400)}\n  expected: ${expected[i].slice(0, 400)}`)
      }
    }
    check(bad === 0, `${label}: ${bad} rows differ from what was written`)
  }
  // 3. DuckDB returns the same values as floe's reader, row by row.
  rows += await compareFileWithDuckDB(f, label)
}
finish({ test: 'parquet_write_oracle', files: files.length, rows })
