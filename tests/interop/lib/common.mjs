// Helpers shared by the interop tests: locations from the environment that ctest sets
// (tests/interop/CMakeLists.txt), running floe, DuckDB through the oracle's install.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'

export const env = {
  floe: process.env.FLOE_BIN,
  oracle: process.env.FLOE_ORACLE,
  shared: process.env.FLOE_SHARED,
  build: process.env.FLOE_BUILD,
}
for (const [k, v] of Object.entries(env)) {
  if (!v) { console.error(`interop: ${k} not set (run through ctest)`); process.exit(2) }
}

const require = createRequire(path.join(env.oracle, 'node_modules', 'x.js'))
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'))

let con = null
export async function duck() {
  if (!con) {
    const db = await DuckDBInstance.create(':memory:', {
      threads: '1', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false',
    })
    con = await db.connect()
  }
  return con
}
export async function sql(text) {
  const c = await duck()
  return (await c.runAndReadAll(text)).getRowObjectsJS()
}
export const lit = (s) => `'${String(s).replaceAll("'", "''")}'`

const tempDirs = []
// A scratch folder, removed by finish() when the test passes (kept for a look when it fails).
export function tempDir(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `floe-${name}-`))
  tempDirs.push(dir)
  return dir
}

// Runs floe; returns stdout. Throws with stderr on a non-zero exit.
export function floe(args, opts = {}) {
  const r = spawnSync(env.floe, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts })
  if (r.status !== 0) {
    throw new Error(`floe ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
  return r.stdout
}

export function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts })
}

// JSON.parse that keeps integers beyond 2^53 exact (as BigInt).
export function parseJsonExact(line) {
  // DuckDB's to_json writes bare NaN and Infinity; floe writes them as strings.
  const quoted = line.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"@@big@@$2"')
    .replace(/([:\[,]\s*)(NaN|-?Infinity)(?=\s*[,\]}])/g, '$1"$2"')
  return JSON.parse(quoted, (k, v) =>
    typeof v === 'string' && v.startsWith('@@big@@') ? BigInt(v.slice(7)) : v)
}

export function listFiles(dir, suffix) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...listFiles(p, suffix))
    else if (e.name.endsWith(suffix)) out.push(p)
  }
  return out.sort()
}

let failures = 0
export function check(ok, message) {
  if (!ok) {
    failures++
    console.error(`FAIL: ${message}`)
  }
  return ok
}
export function finish(summary) {
  console.log(JSON.stringify({ ...summary, failures }))
  for (const dir of tempDirs) {
    if (failures) console.error(`kept ${dir} for inspection`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
  process.exit(failures ? 1 : 0)
}
