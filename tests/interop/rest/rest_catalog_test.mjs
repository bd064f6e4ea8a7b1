// The REST catalog end to end: starts rest_test_server (argv[2]) on a free loopback port,
//  1. runs the oracle's check-rest.mjs against it (iceberg-js; every response validated against
//     the REST spec's schemas), loading analytics.events too;
//  2. plays an outside engine: creates a table through REST, has the helper write Parquet files
//     and the manifests of an append, commits add-snapshot + set-snapshot-ref with
//     assert-table-uuid and assert-ref-snapshot-id, and has check-table.mjs --deep check the
//     table from the catalog database; then a second append built on the old state (stale
//     assert-ref-snapshot-id) gets 409 CommitFailedException and changes nothing;
//     floe scan (the CLI) counts the rows the outside engine appended;
//  3. a read-only token can load but not commit (403).
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { env, tempDir, check, finish, run } from '../lib/common.mjs'

const helper = process.argv[2]
const dir = tempDir('rest')
const ADMIN = 'admin-secret', READER = 'reader-secret'

const server = spawn(helper, ['serve', dir, ADMIN, READER], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise((resolve, reject) => {
  const lines = readline.createInterface({ input: server.stdout })
  lines.on('line', (line) => { const m = /^listening (\d+)$/.exec(line); if (m) resolve(Number(m[1])) })
  server.on('exit', (code) => reject(new Error(`rest_test_server exited ${code}`)))
})
const base = `http://127.0.0.1:${port}/catalog`
const summary = {}

async function call(method, p, body, token = ADMIN) {
  const r = await fetch(`${base}/v1${p}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  })
  const text = await r.text()
  return { status: r.status, json: text ? JSON.parse(text) : null }
}

function oracle(script, args) {
  const r = spawnSync('node', [path.join(env.oracle, script), ...args], { encoding: 'utf8' })
  const out = (() => { try { return JSON.parse(r.stdout) } catch { return { raw: r.stdout, err: r.stderr } } })()
  return { ok: r.status === 0, out }
}

try {
  // 1. check-rest.mjs
  const rest = oracle('check-rest.mjs', [base, '--token', ADMIN, '--table', 'analytics.events'])
  check(rest.ok, `check-rest.mjs: ${JSON.stringify(rest.out.problems ?? rest.out)}`)
  summary.check_rest_passed = rest.out.passed?.length

  // 2. an outside engine appends through REST
  const schema = { type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'event_id', type: 'string', required: true },
    { id: 2, name: 'timestamp', type: 'timestamptz', required: true },
    { id: 3, name: 'value', type: 'long', required: false }] }
  let r = await call('POST', '/namespaces', { namespace: ['ext'] })
  check(r.status === 200, `create namespace: ${r.status}`)
  r = await call('POST', '/namespaces/ext/tables', {
    name: 'appended', schema,
    'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, name: 'timestamp_day', transform: 'day' }] },
    properties: { 'write.parquet.compression-codec': 'zstd' },
  })
  check(r.status === 200, `create table: ${r.status} ${JSON.stringify(r.json)}`)
  const created = r.json
  const uuid = created.metadata['table-uuid']

  const snapshotOf = (metadataLocation, firstDay) =>
    JSON.parse(run(helper, ['snapshot', metadataLocation, '40', String(firstDay)]))
  const first = snapshotOf(created['metadata-location'], 20000)
  const stale = snapshotOf(created['metadata-location'], 20010)  // built on the same, empty state
  const appendCommit = (snap) => ({
    identifier: { namespace: ['ext'], name: 'appended' },
    requirements: [{ type: 'assert-table-uuid', uuid }, { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
    updates: [{ action: 'add-snapshot', snapshot: snap },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snap['snapshot-id'] }],
  })
  r = await call('POST', '/namespaces/ext/tables/appended', appendCommit(first))
  check(r.status === 200, `append commit: ${r.status} ${JSON.stringify(r.json)}`)
  const committed = r.json?.['metadata-location']
  check(r.json?.metadata?.['current-snapshot-id'] === first['snapshot-id'], 'current snapshot is the appended one')

  const deep = oracle('check-table.mjs', ['--catalog-db', path.join(dir, 'catalog.db'), '--table', 'ext.appended', '--deep',
    '--sql', 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t'])
  check(deep.ok, `check-table --deep after the REST append: ${JSON.stringify(deep.out).slice(0, 2000)}`)
  summary.check_table_after_append = deep.ok

  r = await call('POST', '/namespaces/ext/tables/appended', appendCommit(stale))
  check(r.status === 409 && r.json?.error?.type === 'CommitFailedException',
    `stale assert-ref-snapshot-id: ${r.status} ${JSON.stringify(r.json)}`)
  r = await call('GET', '/namespaces/ext/tables/appended', undefined, READER)
  check(r.status === 200 && r.json['metadata-location'] === committed, 'the stale commit changed nothing')
  check(r.json?.metadata?.snapshots?.length === 1, 'one snapshot after the stale commit')

  // The same commit over /transactions/commit, rebuilt on the new state, lands.
  const second = snapshotOf(committed, 20020)
  const txn = appendCommit(second)
  txn.requirements[1]['snapshot-id'] = first['snapshot-id']
  r = await call('POST', '/transactions/commit', { 'table-changes': [txn] })
  check(r.status === 204, `transactions/commit: ${r.status} ${JSON.stringify(r.json)}`)
  const again = oracle('check-table.mjs', ['--catalog-db', path.join(dir, 'catalog.db'), '--table', 'ext.appended', '--deep',
    '--sql', 'SELECT count(*) AS n FROM t'])
  check(again.ok, `check-table --deep after the second append: ${JSON.stringify(again.out).slice(0, 2000)}`)
  summary.sql_after_second_append = again.out.sql ?? again.out.query

  // floe's own CLI reads the table the outside engine wrote.
  const counted = JSON.parse(run(env.floe, ['scan', '--warehouse', dir, '--table', 'ext.appended', '--count', '--json']))
  check(counted.count === 160 && counted.snapshot_id === second['snapshot-id'], `floe scan --count: ${JSON.stringify(counted)}`)
  summary.floe_scan_count = counted.count

  // 3. read-only token
  r = await call('POST', '/namespaces/ext/tables/appended', { updates: [] }, READER)
  check(r.status === 403 && r.json?.error?.code === 403, `read-only commit: ${r.status}`)
} catch (e) {
  check(false, e.stack)
} finally {
  server.kill('SIGTERM')
  await new Promise((resolve) => server.exitCode !== null ? resolve() : server.on('exit', resolve))
}
finish(summary)
