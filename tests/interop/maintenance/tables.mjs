// Tables for the maintenance interop tests, made with the floe CLI: create-table, then one
// `floe ingest` per batch, each a commit (snapshot) with one data file per day it touches.
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { env, floe, run, parseJsonExact } from '../lib/common.mjs'

export const COLUMNS = 'id:long:required,ts:timestamptz:required,kind:string'

export function createTable(warehouse, table, extra = []) {
  floe(['create-table', '--warehouse', warehouse, '--table', table, '--columns', COLUMNS,
    '--partition', 'day(ts)', ...extra])
}

// Rows first..first+n-1 over `days` days of November 2026; returns the snapshot id committed.
export function ingest(warehouse, table, first, n, days = 5) {
  const file = path.join(warehouse, `batch-${table}-${first}.ndjson`)
  const lines = []
  for (let id = first; id < first + n; id++) {
    const day = String(1 + (id % days)).padStart(2, '0')
    const sec = String(id % 60).padStart(2, '0')
    lines.push(JSON.stringify({ id, ts: `2026-11-${day}T10:00:${sec}Z`, kind: `k${id % 3}` }))
  }
  fs.writeFileSync(file, lines.join('\n') + '\n')
  const out = parseJsonExact(floe(['ingest', file, '--warehouse', warehouse, '--table', table,
    '--state-dir', path.join(warehouse, '.state'), '--json']))
  fs.rmSync(file)
  return String(out.snapshot_id)
}

// The table's snapshots (floe snapshots --json), ids as strings.
export function snapshotsOf(warehouse, table) {
  const listed = parseJsonExact(floe(['snapshots', '--warehouse', warehouse, '--table', table,
    '--json']))
  return listed.snapshots.map((s) => ({ ...s, snapshot_id: String(s.snapshot_id) }))
}

// floe with a non-zero exit allowed: {status, stdout, stderr}.
export function floeRaw(args) {
  return spawnSync(env.floe, args, { encoding: 'utf8', maxBuffer: 1 << 30 })
}

// The oracle's check-table (--deep) of the table's current or given snapshot.
export function oracleCheck(warehouse, table, snapshotId, sql) {
  const args = [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
    path.join(warehouse, 'catalog.db'), '--table', table, '--deep']
  if (snapshotId !== undefined) args.push('--snapshot', String(snapshotId))
  if (sql) args.push('--sql', sql)
  const r = spawnSync('node', args, { encoding: 'utf8', maxBuffer: 1 << 30 })
  const out = JSON.parse(r.stdout)
  // Reading an older snapshot, the oracle notes that it is not the one refs.main names.
  if (snapshotId !== undefined) {
    out.errors = out.errors.filter((e) => !e.startsWith('refs.main does not point'))
    out.ok = out.errors.length === 0
  }
  return out
}

// Every file under `dir` (absolute paths), sorted.
export function allFiles(dir) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...allFiles(p))
    else out.push(p)
  }
  return out.sort()
}

// Sets the modification time of `files` to `days` days ago.
export function age(files, days) {
  const t = new Date(Date.now() - days * 86400 * 1000)
  for (const f of files) fs.utimesSync(f, t, t)
}

export { run }
