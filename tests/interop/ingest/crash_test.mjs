// Must-show 2 (issue 4): `floe serve` killed with SIGKILL at random moments while clients keep
// posting; after each restart and a final flush, every event the server acknowledged (202) is in
// the table exactly once, and the oracle passes the table (--deep).
//
// Each round starts the server on a free port (--listen 127.0.0.1:0), runs two keep-alive
// clients posting NDJSON bodies of new events (ids unique across the run) plus, now and then,
// events acknowledged in earlier rounds (they must come back as duplicates, never land twice),
// and kills the server after a random 0.3-1.5 s. Flush triggers are small (1 s, 300 events), so
// kills land during WAL writes, Parquet writes and catalog commits alike. Seeded randomness:
// FLOE_CRASH_SEED; rounds: FLOE_CRASH_ROUNDS (default 20).
//
// With --reused-wal the WAL is tiny (64 KiB segments, a 1 MiB limit), so committed segments are
// retired past half the limit, become spares and are reused in place while the clients post:
// kills land in reused segments that still hold older records after the new ones. Retired
// segments no longer refill the dedup window at a restart (by design: the log keeps them only
// while it has room), so in that mode only events acknowledged since the last start are re-sent.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { env, tempDir, check, finish } from '../lib/common.mjs'

const ROUNDS = Number(process.env.FLOE_CRASH_ROUNDS ?? 20)
const REUSED_WAL = process.argv.includes('--reused-wal')
let seed = Number(process.env.FLOE_CRASH_SEED ?? Date.now() % 1000000)
console.log(`crash test: ${ROUNDS} rounds, seed ${seed}`)
const random = () => {
  // mulberry32: a reproducible run for a given seed.
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const dir = tempDir('ingest-crash')
const warehouse = path.join(dir, 'wh')
const stateDir = path.join(dir, 'state')
const serveEnv = {
  ...process.env,
  ADMIN_TOKEN: 'crash-test-token',
  BUFFER_TIME_SECONDS: '1',
  BUFFER_COUNT_THRESHOLD: '300',
  FLOE_LOG_LEVEL: 'warn',
  ...(REUSED_WAL ? { FLOE_WAL_SEGMENT_BYTES: '65536', FLOE_MAX_WAL_BYTES: '1048576' } : {}),
}

function startServer() {
  const child = spawn(env.floe, ['serve', '--warehouse', warehouse, '--state-dir', stateDir,
    '--listen', '127.0.0.1:0'], { env: serveEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000) })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const listening = new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /listening on ([\d.]+):(\d+)/.exec(out)
      if (m) resolve(Number(m[2]))
    })
    exited.then(({ code, signal }) => reject(new Error(`floe serve exited (${code ?? signal}) before listening:\n${stderr}`)))
  })
  return { child, listening, exited, stderr: () => stderr }
}

function post(agent, port, pathName, body, headers = {}) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, method: 'POST', agent, headers: {
      'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode, text }))
      res.on('error', () => resolve({ status: 0, text: '' }))
    })
    req.on('error', () => resolve({ status: 0, text: '' }))
    req.end(body)
  })
}

const types = ['page_view', 'click', 'signup', 'purchase']
const eventText = (id, n) => JSON.stringify({
  specversion: '1.0', id, source: 'crash-test', type: types[n % types.length],
  time: new Date(Date.UTC(2026, 0, 1 + (n % 3), 12, 0, n % 60)).toISOString(),
  data: { user_id: `u${n % 97}`, n },
})

const acknowledged = new Map()  // id -> event text
let sinceStart = new Map()  // the same, for events acknowledged since the server last started
let nextEvent = 0
let duplicatesReported = 0
let refused = 0

async function client(port, stop) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  while (!stop.value) {
    const ids = []
    const lines = []
    const fresh = 20 + Math.floor(random() * 80)
    for (let i = 0; i < fresh; i++) {
      const n = nextEvent++
      const id = `ev-${n}`
      ids.push(id)
      lines.push(eventText(id, n))
    }
    // Re-send a few acknowledged events: the dedup window must hold across kills.
    const pool = REUSED_WAL ? sinceStart : acknowledged
    const old = [...pool.keys()]
    const resent = old.length > 0 && random() < 0.3 ? Math.min(5, old.length) : 0
    for (let i = 0; i < resent; i++) lines.push(pool.get(old[Math.floor(random() * old.length)]))
    const body = lines.join('\n') + '\n'
    const r = await post(agent, port, '/v1/events', body, { 'content-type': 'application/x-ndjson' })
    if (r.status === 202) {
      const res = JSON.parse(r.text)
      check(res.rejected === 0, `nothing rejected: ${r.text}`)
      check(res.accepted + res.duplicates === lines.length, `every event counted: ${r.text}`)
      // Only the fresh events of an acknowledged body count; the re-sent ones are duplicates.
      check(res.accepted === fresh, `fresh events accepted, re-sent ones duplicates: ${r.text}`)
      duplicatesReported += res.duplicates
      for (let i = 0; i < fresh; i++) {
        acknowledged.set(ids[i], lines[i])
        sinceStart.set(ids[i], lines[i])
      }
    } else if (r.status === 429 || r.status === 503) {
      refused++
      await new Promise((s) => setTimeout(s, 20))
    } else if (r.status !== 0) {
      check(false, `unexpected answer ${r.status}: ${r.text}`)
      break
    }
  }
  agent.destroy()
}

let spareSeen = 0  // rounds that ended with spare segments in the WAL folder
for (let round = 0; round < ROUNDS; round++) {
  sinceStart = new Map()
  const server = startServer()
  const port = await server.listening
  const stop = { value: false }
  const clients = [client(port, stop), client(port, stop)]
  await new Promise((s) => setTimeout(s, 300 + Math.floor(random() * 1200)))
  server.child.kill('SIGKILL')
  const { signal } = await server.exited
  check(signal === 'SIGKILL', `round ${round}: killed by SIGKILL (${signal})`)
  stop.value = true
  await Promise.all(clients)
  const wal = fs.readdirSync(path.join(stateDir, 'wal'))
  if (wal.some((f) => f.startsWith('spare-'))) spareSeen++
  console.log(`round ${round}: ${acknowledged.size} acknowledged so far; WAL folder: ${wal.length} files`)
}
if (REUSED_WAL) check(spareSeen > 0, `segments were retired as spares in some round (${spareSeen} of ${ROUNDS})`)

// A last start: replay, then a flush and a graceful stop.
{
  const server = startServer()
  const port = await server.listening
  const agent = new http.Agent({ keepAlive: false })
  const r = await post(agent, port, '/admin/flush', '', { authorization: 'Bearer crash-test-token' })
  check(r.status === 200, `final flush answered ${r.status}: ${r.text}`)
  server.child.kill('SIGTERM')
  const { code } = await server.exited
  check(code === 0, `graceful stop exits 0 (got ${code}): ${server.stderr().slice(-2000)}`)
}

// The oracle's stdout goes to a file: Node cuts piped output short when a script exits.
const reportFile = path.join(dir, 'check-table.json')
const fd = fs.openSync(reportFile, 'w')
spawnSync('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
  path.join(warehouse, 'catalog.db'), '--table', 'analytics.events', '--deep', '--sql',
  'SELECT event_id, count(*) AS n FROM t GROUP BY event_id'], { stdio: ['ignore', fd, 'inherit'] })
fs.closeSync(fd)
let report = null
const reportText = fs.readFileSync(reportFile, 'utf8')
try { report = JSON.parse(reportText) } catch { /* reported below */ }
check(report !== null, `check-table printed JSON: ${reportText.slice(0, 2000)}`)
if (report) {
  check(report.ok === true, `check-table --deep passes: ${JSON.stringify(report.errors).slice(0, 4000)}`)
  const counts = new Map(report.sql.map((r) => [r.event_id, Number(r.n)]))
  const twice = report.sql.filter((r) => Number(r.n) !== 1)
  check(twice.length === 0, `no event twice: ${JSON.stringify(twice.slice(0, 10))}`)
  const missing = [...acknowledged.keys()].filter((id) => !counts.has(id))
  check(missing.length === 0, `every acknowledged event is in the table: ${missing.length} missing, e.g. ${missing.slice(0, 10)}`)
  console.log(`acknowledged ${acknowledged.size}, rows ${report.sql.length} (unacknowledged but ` +
    `durable events may land too), duplicates reported ${duplicatesReported}, refused ${refused}`)
}
finish()
