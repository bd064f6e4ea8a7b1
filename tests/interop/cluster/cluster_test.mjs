// Issue 9, must-show 3: three `floe serve` nodes on loopback share one real PostgreSQL catalog
// (started by pg_server, argv[2]) and one local warehouse; each has its own state folder (WAL)
// and node id. A client spreads 200,000 generated events over them (NDJSON bodies of 1,000,
// round robin) while:
//  1. compaction is requested on all three at once: one node runs it (200) and the others get
//     409 naming the lease holder, unless a run ended before another began (then 200 again);
//  2. node-2 is killed with SIGKILL while its compaction holds the table's lease: node-1 gets 409
//     naming node-2 (and /admin/status shows node-2's lease) until the lease (FLOE_LEASE_TTL=2s)
//     expires, then takes it over (its log says lease.taken_over from node-2) and compacts;
//     node-2 restarts on its state folder (its WAL replays) and bodies it never answered are
//     re-sent to it (counted as duplicates when its WAL had them).
// At the end: a flush on each node and a graceful stop; every event is in the table exactly once
// (DuckDB over the live rows of check-table.mjs --deep, which must pass), and the compaction runs
// in the shared run history never overlap in time. The schedulers are off, so every run is one
// the test asked for.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { check, env, finish, run, tempDir } from '../lib/common.mjs'
import { get, post, startServe } from '../ingest/serve_lib.mjs'

const EVENTS = Number(process.env.FLOE_CLUSTER_EVENTS || 200000)
const BATCH = 1000
const PER_NODE_IN_FLIGHT = 2
const ADMIN = 'cluster-admin-token'
const LEASE_TTL_S = 2
const pgServer = process.argv[2]
const started = Date.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`

const dir = tempDir('cluster')
const input = path.join(dir, 'events.ndjson')
// Ten days of events: each flush writes a file per day, so the table gathers small files.
run('python3', [path.join(env.shared, 'bench', 'gen_events.py'), '--events', String(EVENTS),
  '--span-hours', '240', '--out', input])
const lines = fs.readFileSync(input, 'utf8').split('\n').filter((l) => l.length > 0)
check(lines.length === EVENTS, `generator wrote ${lines.length} events, expected ${EVENTS}`)
const bodies = []
for (let i = 0; i < lines.length; i += BATCH) bodies.push(lines.slice(i, i + BATCH).join('\n') + '\n')

// --- PostgreSQL, and psql as one long session for quick looks at the leases --------------------
const pg = spawn(pgServer, [], { stdio: ['pipe', 'pipe', 'inherit'] })
const uri = await new Promise((resolve, reject) => {
  readline.createInterface({ input: pg.stdout }).once('line', resolve)
  pg.on('exit', (code) => reject(new Error(`pg_server exited ${code}`)))
})
console.log(`PostgreSQL at ${uri} (${elapsed()})`)

function psqlSession() {
  const proc = spawn('psql', [uri, '-At', '-q', '-v', 'ON_ERROR_STOP=0'],
    { stdio: ['pipe', 'pipe', 'inherit'] })
  const lineReader = readline.createInterface({ input: proc.stdout })
  let pending = null
  let rows = []
  lineReader.on('line', (line) => {
    if (line === '@@end@@') {
      const done = pending
      pending = null
      done(rows)
      rows = []
    } else {
      rows.push(line)
    }
  })
  return {
    query(sql) {
      return new Promise((resolve) => {
        pending = resolve
        proc.stdin.write(`${sql};\n\\echo @@end@@\n`)
      })
    },
    close() { proc.stdin.end() },
  }
}
const psql = psqlSession()

// --- three nodes -----------------------------------------------------------------------------
const warehouse = path.join(dir, 'warehouse')
fs.mkdirSync(warehouse)
const nodes = [null, null, null]
const nodeArgs = (i) => ['--catalog', uri, '--node-id', `node-${i + 1}`, '--lease-ttl',
  `${LEASE_TTL_S}s`, '--max-body-bytes', String(4 << 20), '--max-inflated-bytes', String(8 << 20)]
const nodeEnv = { ADMIN_TOKEN: ADMIN, FLOE_SCHEDULER: 'off', BUFFER_TIME_SECONDS: '1' }
async function startNode(i) {
  fs.mkdirSync(path.join(dir, `node${i + 1}`), { recursive: true })
  nodes[i] = await startServe(path.join(dir, `node${i + 1}`),
    { args: nodeArgs(i), extraEnv: nodeEnv, warehouse })
  nodes[i].up = true
  return nodes[i]
}
await startNode(0)  // creates analytics.events
await Promise.all([startNode(1), startNode(2)])
console.log(`three nodes up (${elapsed()})`)

const admin = { Authorization: `Bearer ${ADMIN}` }
const compact = (i, body = { force: true }) =>
  post(`${nodes[i].url}/admin/compact`, JSON.stringify(body), admin)

// --- the client: bodies round robin, each until a node answers 202 ---------------------------
const totals = { accepted: 0, duplicates: 0, rejected: 0, resent: 0 }
let acknowledged = 0
const queues = [[], [], []]
bodies.forEach((body, k) => queues[k % 3].push(body))
async function poster(i) {
  while (queues[i].length > 0) {
    const body = queues[i].shift()
    for (;;) {
      if (!nodes[i].up) { await sleep(50); continue }
      let r
      try {
        r = await post(`${nodes[i].url}/v1/events`, body, { 'Content-Type': 'application/x-ndjson' })
      } catch {
        // The node died before answering: the body goes to it again once it is back.
        totals.resent++
        await sleep(50)
        continue
      }
      if (r.status === 429 || r.status === 503) { await sleep(200); continue }
      if (!check(r.status === 202, `node-${i + 1} POST /v1/events: ${r.status} ${r.text}`)) return
      totals.accepted += r.json.accepted
      totals.duplicates += r.json.duplicates
      totals.rejected += r.json.rejected
      acknowledged++
      break
    }
  }
}
const posting = Promise.all([0, 1, 2].flatMap((i) =>
  Array.from({ length: PER_NODE_IN_FLIGHT }, () => poster(i))))
const until = async (fraction) => {
  while (acknowledged < bodies.length * fraction) await sleep(20)
}

// Each node flushes what it has buffered, so a compaction has small files to work on: without
// it, on a fast machine, the nodes had not flushed yet and every compaction was a quick no-op that
// released its lease before node-2 could be killed holding it.
const flushAll = async () => {
  for (let i = 0; i < 3; i++) {
    if (!nodes[i].up) continue
    const r = await post(`${nodes[i].url}/admin/flush`, '', admin)
    check(r.status === 200, `node-${i + 1} POST /admin/flush: ${r.status} ${r.text}`)
  }
}

// 1. Compaction on all three nodes at once.
await until(0.3)
await flushAll()
const together = await Promise.all([0, 1, 2].map((i) => compact(i)))
const statuses = together.map((r) => r.status)
console.log(`compaction on three nodes at once: ${statuses.join(', ')} (${elapsed()})`)
check(statuses.every((s) => s === 200 || s === 409), `statuses are 200 or 409: ${statuses}`)
check(statuses.includes(200), `one node compacted: ${statuses}`)
for (const r of together.filter((r) => r.status === 409)) {
  check(/node-[123]/.test(r.text) && /lease/.test(r.text), `409 names the lease holder: ${r.text}`)
}

// 2. node-2 killed while its compaction holds the lease; node-1 takes the lease over.
await until(0.5)
let killedHolder = null
for (let attempt = 1; attempt <= 8 && killedHolder === null; attempt++) {
  await flushAll()
  let answered = false
  const request = compact(1).then((r) => { answered = true; return r }, () => null)
  while (!answered && killedHolder === null) {
    const rows = await psql.query(
      "SELECT holder FROM floe_leases WHERE node_id = 'node-2' AND table_identifier = 'analytics.events'")
    if (rows.length > 0) {
      nodes[1].up = false
      nodes[1].proc.kill('SIGKILL')
      killedHolder = rows[0]
    }
  }
  await request
  if (killedHolder === null) await sleep(1000)  // it finished first: more small files, again
}
check(killedHolder !== null, 'node-2 was killed while holding the lease of analytics.events')
if (killedHolder !== null) {
  const exit = await nodes[1].exited
  check(exit.signal === 'SIGKILL', `node-2 died of SIGKILL (${JSON.stringify(exit)})`)
  console.log(`node-2 killed holding the lease as "${killedHolder}" (${elapsed()})`)
  const busy = await compact(0)
  check(busy.status === 409 && busy.text.includes(killedHolder),
    `node-1 gets 409 naming node-2's lease: ${busy.status} ${busy.text}`)
  const status = await get(`${nodes[0].url}/admin/status`, admin)
  const lease = status.json?.tables?.find((t) => t.table === 'analytics.events')?.lease
  check(lease?.node_id === 'node-2', `/admin/status names node-2's lease: ${JSON.stringify(lease)}`)
  const killedAt = Date.now()
  let takeover = null
  while (takeover === null && Date.now() - killedAt < 30000) {
    const r = await compact(0)
    if (r.status === 200) takeover = r
    else {
      check(r.status === 409, `node-1 while the lease lives: ${r.status} ${r.text}`)
      await sleep(250)
    }
  }
  check(takeover !== null, 'node-1 compacted once the dead lease expired')
  console.log(`node-1 took over after ${Date.now() - killedAt} ms: ${takeover?.json?.files_in} files in, ` +
    `${takeover?.json?.files_out} out (${elapsed()})`)
  const log = fs.readFileSync(nodes[0].logPath, 'utf8')
  const taken = log.split('\n').filter((l) => l.includes('"lease.taken_over"'))
    .map((l) => JSON.parse(l))
  check(taken.some((e) => e.previous_holder === killedHolder && e.holder.startsWith('node-1')),
    `node-1 logged lease.taken_over from "${killedHolder}": ${JSON.stringify(taken)}`)
  await startNode(1)
  console.log(`node-2 restarted (${elapsed()})`)
}

await posting
console.log(`all ${bodies.length} bodies acknowledged: ${JSON.stringify(totals)} (${elapsed()})`)
check(totals.rejected === 0, `no event rejected (${totals.rejected})`)
check(totals.accepted + totals.duplicates === EVENTS,
  `accepted + duplicates = ${totals.accepted + totals.duplicates}, expected ${EVENTS}`)

// --- the end: flush and stop every node, then the table and the run history -------------------
for (let i = 0; i < 3; i++) {
  const r = await post(`${nodes[i].url}/admin/flush`, '', admin)
  check(r.status === 200, `node-${i + 1} POST /admin/flush: ${r.status} ${r.text}`)
}
const history = await get(`${nodes[2].url}/admin/runs?table=analytics.events&limit=1000`, admin)
for (let i = 0; i < 3; i++) {
  const exit = await nodes[i].stop()
  check(exit.code === 0, `node-${i + 1} stopped cleanly: ${JSON.stringify(exit)}`)
}

const [metadataLocation] = await psql.query(
  "SELECT metadata_location FROM iceberg_tables WHERE table_namespace = 'analytics' AND table_name = 'events'")
const runRows = await psql.query(
  "SELECT finished_ms || ' ' || report FROM floe_maintenance_runs WHERE action = 'compact' " +
  "AND table_identifier = 'analytics.events' ORDER BY finished_ms")
psql.close()
pg.stdin.end()

const runs = runRows.map((row) => {
  const space = row.indexOf(' ')
  const finished = Number(row.slice(0, space))
  const report = JSON.parse(row.slice(space + 1))
  return { start: finished - report.duration_ms, end: finished, status: report.status }
})
check(history.status === 200 && history.json.runs.length === runs.length,
  `GET /admin/runs lists the ${runs.length} compactions of the run history`)
// The takeover run must have compacted; the first, simultaneous requests may come before the
// nodes have flushed enough small files and be no-ops (seen on a fast run), so they are not counted.
check(runs.filter((r) => r.status !== 'noop').length >= 1,
  `the takeover compaction did work: ${JSON.stringify(runs)}`)
for (let k = 1; k < runs.length; k++) {
  check(runs[k].start >= runs[k - 1].end,
    `compactions ${k - 1} and ${k} do not overlap: ${JSON.stringify(runs.slice(k - 1, k + 1))}`)
}
console.log(`${runs.length} compaction runs in the history, none overlapping`)

const reportFile = path.join(dir, 'check-table.json')
spawnSync('node', [path.join(env.oracle, 'check-table.mjs'), '--metadata',
  metadataLocation.replace(/^file:\/\//, ''), '--deep', '--sql',
  'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t'],
{ stdio: ['ignore', fs.openSync(reportFile, 'w'), 'inherit'] })
let report = null
try { report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) } catch { /* checked below */ }
check(report !== null, 'check-table printed JSON')
if (report) {
  check(report.ok === true, `check-table --deep passes: ${JSON.stringify(report.errors).slice(0, 4000)}`)
  const row = report.sql?.[0]
  check(row && Number(row.n) === EVENTS && Number(row.ids) === EVENTS,
    `the table holds each of the ${EVENTS} events once: ${JSON.stringify(row)}`)
}
finish({ test: 'cluster_three_nodes', events: EVENTS, compaction_statuses: statuses,
  killed_holder: killedHolder, runs: runs.length, seconds: (Date.now() - started) / 1000 })
