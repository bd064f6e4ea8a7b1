// Issue 4, must-show 1 and the HTTP half of must-show 3, against the real `floe serve`:
//  1. 200,000 generated events (1 % re-sent duplicates) posted as NDJSON bodies of 500 over
//     keep-alive connections; /admin/flush; after a graceful stop (SIGTERM, exit 0) the table
//     passes check-table.mjs --deep and DuckDB over the live rows returns each distinct input id
//     exactly once with its type, source and timestamp.
//  3. Bad inputs, each answered with its documented status and message while the server keeps
//     serving; the valid events among them are in the table too (nothing accepted is lost).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { check, env, finish, run, tempDir } from '../lib/common.mjs'
import { get, post, startServe } from './serve_lib.mjs'

const EVENTS = Number(process.env.FLOE_E2E_EVENTS || 200000)
const BATCH = 500
const PARALLEL = 4
const API_KEY = 'interop-ingest-key'
const ADMIN = 'interop-admin-token'

const dir = tempDir('serve-e2e')
const input = path.join(dir, 'events.ndjson')
run('python3', [path.join(env.shared, 'bench', 'gen_events.py'), '--events', String(EVENTS),
  '--duplicates', '0.01', '--out', input])
const lines = fs.readFileSync(input, 'utf8').split('\n').filter((l) => l.length > 0)
check(lines.length === EVENTS, `generator wrote ${lines.length} events, expected ${EVENTS}`)

// The first occurrence of each id is what the table must hold (duplicates are identical).
const expected = new Map()
for (const line of lines) {
  const e = JSON.parse(line)
  if (!expected.has(e.id)) expected.set(e.id, { type: e.type, source: e.source, time: e.time })
}

const server = await startServe(dir, {
  args: ['--max-body-bytes', String(4 << 20), '--max-inflated-bytes', String(8 << 20)],
  extraEnv: { ADMIN_TOKEN: ADMIN, FLOE_API_KEYS: `other-key, ${API_KEY}` },
})
const ingestHeaders = { 'Content-Type': 'application/x-ndjson', 'X-API-Key': API_KEY }
const started = Date.now()

// --- must-show 1: the bulk load -------------------------------------------------------------
const bodies = []
for (let i = 0; i < lines.length; i += BATCH) bodies.push(lines.slice(i, i + BATCH).join('\n') + '\n')
const totals = { accepted: 0, rejected: 0, duplicates: 0, retried: 0 }
let next = 0
async function poster() {
  while (next < bodies.length) {
    const body = bodies[next++]
    for (;;) {
      const r = await post(`${server.url}/v1/events`, body, ingestHeaders)
      if (r.status === 429 || r.status === 503) {  // backpressure: wait as told, then resend
        totals.retried++
        await new Promise((res) => setTimeout(res, 1000 * Number(r.headers.get('retry-after') || 1)))
        continue
      }
      if (!check(r.status === 202, `POST /v1/events: ${r.status} ${r.text}`)) return
      totals.accepted += r.json.accepted
      totals.rejected += r.json.rejected
      totals.duplicates += r.json.duplicates
      break
    }
  }
}
await Promise.all(Array.from({ length: PARALLEL }, poster))
const postMs = Date.now() - started
check(totals.rejected === 0, `rejected ${totals.rejected} generated events`)
check(totals.accepted === expected.size,
  `accepted ${totals.accepted}, expected the ${expected.size} distinct ids`)
check(totals.accepted + totals.duplicates === EVENTS,
  `accepted + duplicates = ${totals.accepted + totals.duplicates}, expected ${EVENTS}`)

let r = await post(`${server.url}/admin/flush`, '', { Authorization: `Bearer ${ADMIN}` })
check(r.status === 200, `POST /admin/flush: ${r.status} ${r.text}`)
check(r.json && r.json.snapshot_id !== null && r.json.commits.length === 1,
  `flush committed one snapshot: ${r.text}`)

// --- must-show 3: bad inputs over HTTP ------------------------------------------------------
const extra = new Map()  // valid events posted below: they must land too
const ev = (id, more = {}) => JSON.stringify({ id, type: 'probe', source: 'interop',
  time: '2026-11-28T12:00:00.000Z', ...more })
const probe = (id, more) => { extra.set(id, { type: 'probe', source: 'interop', time: '2026-11-28T12:00:00.000Z', ...more }); return ev(id, more) }
const ndjson = (...events) => events.join('\n') + '\n'
const V1 = `${server.url}/v1/events`
const cases = [
  { name: 'malformed JSON', body: '{"id": "x", "type": ', headers: { 'Content-Type': 'application/json' },
    status: 400, message: 'malformed JSON at byte' },
  { name: 'truncated gzip', body: zlib.gzipSync(ndjson(ev('trunc-1'))).subarray(0, 20),
    headers: { 'Content-Encoding': 'gzip' }, status: 400, message: 'corrupt or truncated' },
  { name: 'gzip bomb', body: zlib.gzipSync(Buffer.alloc(64 << 20, 0x20)),
    headers: { 'Content-Encoding': 'gzip' }, status: 413, message: 'inflates to more than' },
  { name: 'wrong content type', body: ndjson(ev('ct-1')), headers: { 'Content-Type': 'text/plain' },
    status: 415, message: 'content type' },
  { name: 'body over the limit', body: 'x'.repeat(5 << 20), status: 413,
    message: 'request body over the limit of 4194304 bytes' },
  { name: 'empty body', body: '', status: 400, message: 'empty body' },
  { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from('{"id":"u1","type":"t","x":"'),
    Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), status: 400, message: 'invalid UTF-8 at byte' },
  { name: '10,000-deep nesting', body: '{"id":"deep","type":"t","data":' + '['.repeat(10000) +
    ']'.repeat(10000) + '}', status: 400, message: 'deeper than' },
  { name: 'unknown table', url: `${server.url}/v1/tables/analytics/no_such_table/events`,
    body: ndjson(ev('nt-1')), status: 404, message: 'no_such_table' },
  { name: 'wrong API key', body: ndjson(ev('key-1')), headers: { 'X-API-Key': 'wrong' },
    status: 401, message: 'wrong API key', auth: false },
  { name: 'missing API key', body: ndjson(ev('key-2')), status: 401, message: 'X-API-Key',
    auth: false },
  { name: 'wrong admin token', url: `${server.url}/admin/flush`, body: '',
    headers: { Authorization: 'Bearer wrong' }, status: 401, message: 'wrong admin token',
    auth: false },
  // Rejected event by event: the rest of the batch goes in.
  { name: 'event without type', body: ndjson(probe('ok-1'), JSON.stringify({ id: 'notype' }), probe('ok-2')),
    headers: { 'Content-Type': 'application/x-ndjson' }, status: 202, accepted: 2, rejectedIndex: 1,
    message: 'event has no type' },
  { name: 'unparseable timestamp', body: ndjson(probe('ok-3'), ev('badtime', { time: 'yesterday' })),
    headers: { 'Content-Type': 'application/x-ndjson' }, status: 202, accepted: 1, rejectedIndex: 1,
    message: 'is not an RFC 3339 timestamp or epoch milliseconds' },
  { name: 'a 1 MB string', body: probe('big-1', { subject: 's'.repeat(1 << 20) }), status: 202, accepted: 1 },
]
for (const c of cases) {
  const headers = { ...(c.auth === false ? {} : { 'X-API-Key': API_KEY }), ...(c.headers || {}) }
  r = await post(c.url || V1, c.body, headers)
  const where = `${c.name}: ${r.status} ${r.text.slice(0, 300)}`
  check(r.status === c.status, `${where} (expected ${c.status})`)
  if (c.status === 202) {
    check(r.json && r.json.accepted === c.accepted, `${where} (expected ${c.accepted} accepted)`)
    if (c.rejectedIndex !== undefined) {
      const e = r.json && r.json.errors[0]
      check(e && e.index === c.rejectedIndex && e.error.includes(c.message),
        `${where} (expected errors[0] at index ${c.rejectedIndex} saying "${c.message}")`)
    }
  } else {
    check(r.json && typeof r.json.error === 'string' && r.json.error.includes(c.message),
      `${where} (expected {"error": ...${c.message}...})`)
    if (c.status === 401) check(r.headers.get('www-authenticate')?.startsWith('Bearer'), `${where}: no WWW-Authenticate`)
  }
  // Still serving after each.
  const h = await get(`${server.url}/health`)
  check(h.status === 200, `after ${c.name}: /health ${h.status}`)
}
r = await get(`${server.url}/ready`)
check(r.status === 200 && r.json.status === 'ready', `/ready: ${r.status} ${r.text}`)
r = await get(`${server.url}/nope`)
check(r.status === 404 && r.json.error === 'no route for GET /nope', `/nope: ${r.status} ${r.text}`)

// --- graceful stop: the probes are still buffered; SIGTERM flushes and commits them ----------
const stopped = await server.stop()
check(stopped.code === 0, `floe serve exit ${JSON.stringify(stopped)}; log in ${server.logPath}`)
const log = fs.readFileSync(server.logPath, 'utf8')
check(!log.includes(ADMIN) && !log.includes(API_KEY), 'a credential appears in the log')

// --- the table, checked by the oracle -------------------------------------------------------
const out = path.join(dir, 'check.json')
let report
try {
  run('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
    path.join(server.warehouse, 'catalog.db'), '--table', 'analytics.events', '--deep', '--sql',
    'SELECT event_id, type, source, epoch_ms("timestamp") AS ts_ms FROM t'],
  { stdio: ['ignore', fs.openSync(out, 'w'), 'inherit'] })
} catch (e) {
  check(false, `check-table.mjs failed (${out}): ${e.message}`)
}
report = JSON.parse(fs.readFileSync(out, 'utf8'))
check(report.ok, `check-table errors: ${JSON.stringify(report.errors).slice(0, 2000)}`)
const rows = report.sql || []
const all = new Map([...expected, ...extra])
check(rows.length === all.size, `${rows.length} live rows, expected ${all.size}`)
const seen = new Set()
let mismatches = 0
for (const row of rows) {
  const want = all.get(row.event_id)
  if (seen.has(row.event_id)) { if (mismatches++ < 5) check(false, `id ${row.event_id} more than once`); continue }
  seen.add(row.event_id)
  if (!want) { if (mismatches++ < 5) check(false, `unexpected id ${row.event_id}`); continue }
  const ok = row.type === want.type && row.source === want.source &&
    Number(row.ts_ms) === Date.parse(want.time)
  if (!ok && mismatches++ < 5) check(false, `row ${JSON.stringify(row)} != input ${JSON.stringify(want)}`)
}
check(mismatches === 0, `${mismatches} rows differ from the input`)
for (const id of all.keys()) {
  if (!seen.has(id)) { check(false, `input id ${id} missing from the table`); break }
}

finish({ test: 'serve_e2e', events: EVENTS, distinct: expected.size, accepted: totals.accepted,
  duplicates: totals.duplicates, backpressure_retries: totals.retried, post_ms: postMs,
  events_per_second: Math.round(EVENTS / (postMs / 1000)), rows: rows.length })
