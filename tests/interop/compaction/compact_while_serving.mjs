// Must-show 2 of issue 5: compaction while `floe serve` keeps appending. Two clients post new
// events continuously to a server whose buffers flush every 8 events (as many append commits as
// the machine makes until FLOE_LIVE_COMMITS, 2,000, are reached), while a third client asks for
// compactions one after another (POST /admin/compact with force, every fourth one aggressive)
// and after every fifth compaction expires snapshots (POST /admin/expire-snapshots, keeping the
// newest 100), as the scheduler does daily in production: without it every commit rewrites a
// metadata.json holding every snapshot so far and commits slow down as they pile up. At the end,
// after a final flush and compaction:
//  - every acknowledged (202) event is in the table exactly once (DuckDB over the live rows,
//    check-table.mjs --sql) and the table passes check-table.mjs --deep;
//  - compaction commits landed, every run kept rows_in = rows_out and ended success or noop;
//  - lost compare-and-swaps were met and counted the same way by the run reports, the
//    compaction.commit and compaction.retry log lines and /metrics
//    (floe_compaction_conflicts_total);
//  - no append failed: no ingest.flush_failed line, every flush committed;
//  - at least FLOE_LIVE_COMMITS append commits were made (the must-show's "thousands").
// FLOE_LIVE_COMMITS (default 2000) and FLOE_LIVE_MAX_MS (240000) bound the posting: on 2 quiet
// cores about 20 append commits a second are made, under the load of CI's parallel tests 10-13.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { check, env, finish, tempDir } from '../lib/common.mjs'
import { get, post, startServe } from '../ingest/serve_lib.mjs'

const COMMITS = Number(process.env.FLOE_LIVE_COMMITS ?? 2000)
// A bound on the posting only (the test is not judged by time): a slow build still finishes.
const MAX_POST_MS = Number(process.env.FLOE_LIVE_MAX_MS ?? 240000)
const ADMIN = 'compact-live-token'
const auth = { Authorization: `Bearer ${ADMIN}` }

const dir = tempDir('compact-live')
// The scheduler's own compactions would take the table now and then (409 to our requests) and
// add runs the reports below do not list.
fs.writeFileSync(path.join(dir, 'floe.toml'), '[schedule]\ncompact-check = "off"\n')
const server = await startServe(dir, {
  args: ['--log-level', 'info', '--config', path.join(dir, 'floe.toml')],
  extraEnv: {
    ADMIN_TOKEN: ADMIN,
    BUFFER_COUNT_THRESHOLD: '8',
    BUFFER_TIME_SECONDS: '1',
    TARGET_FILE_SIZE_MB: '8',
  },
})

// Append commits so far: the collector logs one ingest.flush line per commit.
function flushesLogged() {
  const text = fs.readFileSync(server.logPath, 'utf8')
  let n = 0
  for (let i = text.indexOf('"event":"ingest.flush"'); i >= 0; i = text.indexOf('"event":"ingest.flush"', i + 1)) n++
  return n
}

// Counters read from GET /metrics (Prometheus text), summed over label sets.
async function metric(name) {
  const r = await get(`${server.url}/metrics`)
  let total = 0
  for (const line of r.text.split('\n')) {
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return total
}

const types = ['page_view', 'click', 'signup', 'purchase']
const eventText = (id, n) => JSON.stringify({
  id, source: 'compact-live', type: types[n % types.length],
  // Two day partitions, so groups are planned in both.
  time: new Date(Date.UTC(2026, 10, 1 + (n % 2), 12, 0, n % 60, n % 1000)).toISOString(),
  data: { user_id: `u${n % 97}`, n },
})

const acknowledged = new Set()
let nextEvent = 0
let refused = 0
const stop = { value: false }

function postKeepAlive(agent, pathName, body) {
  return new Promise((resolve) => {
    const url = new URL(server.url)
    const req = http.request({ host: url.hostname, port: url.port, path: pathName, method: 'POST',
      agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) } },
    (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode, text }))
    })
    req.on('error', (e) => resolve({ status: 0, text: String(e) }))
    req.end(body)
  })
}

async function client() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  while (!stop.value) {
    const ids = []
    const lines = []
    for (let i = 0; i < 6; i++) {
      const n = nextEvent++
      ids.push(`live-${n}`)
      lines.push(eventText(`live-${n}`, n))
    }
    const r = await postKeepAlive(agent, '/v1/events', lines.join('\n') + '\n')
    if (r.status === 202) {
      const res = JSON.parse(r.text)
      check(res.accepted === ids.length, `every fresh event accepted: ${r.text}`)
      for (const id of ids) acknowledged.add(id)
    } else if (r.status === 429 || r.status === 503) {
      refused++
      await new Promise((s) => setTimeout(s, 20))
    } else {
      check(false, `POST /v1/events answered ${r.status}: ${r.text}`)
      break
    }
  }
  agent.destroy()
}

const reports = []
let busy = 0
async function compact(body) {
  for (;;) {
    const r = await post(`${server.url}/admin/compact`, JSON.stringify(body), auth)
    if (r.status === 409) {  // another run holds the table: ask again
      busy++
      await new Promise((s) => setTimeout(s, 50))
      continue
    }
    check(r.status === 200, `POST /admin/compact: ${r.status} ${r.text.slice(0, 2000)}`)
    if (r.status !== 200) return null
    reports.push(r.json)
    return r.json
  }
}

async function compactor() {
  for (let i = 0; !stop.value; i++) {
    await compact({ table: 'events', force: true, ...(i % 4 === 3 ? { aggressive: true } : {}) })
    // Runs of one table never overlap (409), so the expiries take turns with the compactions.
    if (i % 5 === 4 && !stop.value) await expire()
  }
}

const expiries = []
async function expire() {
  const r = await post(`${server.url}/admin/expire-snapshots`,
    JSON.stringify({ table: 'events', olderThan: '1s', retainLast: 100 }), auth)
  check(r.status === 200, `POST /admin/expire-snapshots: ${r.status} ${r.text.slice(0, 2000)}`)
  if (r.status !== 200) return
  check(r.json.status === 'success' || r.json.status === 'noop',
    `expiry ${r.json.status}: ${r.json.error ?? ''}`)
  expiries.push(r.json)
}

const started = Date.now()
const clients = [client(), client()]
const compactions = compactor()
let flushes = 0
while (flushes < COMMITS && Date.now() - started < MAX_POST_MS) {
  await new Promise((s) => setTimeout(s, 250))
  flushes = flushesLogged()
}
stop.value = true
await Promise.all([...clients, compactions])
const postMs = Date.now() - started

// Everything acknowledged reaches the table; then one last compaction over all of it.
let r = await post(`${server.url}/admin/flush`, '', auth)
check(r.status === 200, `POST /admin/flush: ${r.status} ${r.text}`)
const last = await compact({ table: 'events', force: true })
check(last !== null && last.commits >= 1, `final compaction committed: ${JSON.stringify(last)?.slice(0, 2000)}`)

const metricCommits = await metric('floe_compaction_commits_total')
const metricConflicts = await metric('floe_compaction_conflicts_total')
const metricRetries = await metric('floe_compaction_retries_total')
const stopped = await server.stop()
flushes = flushesLogged()
check(stopped.code === 0, `graceful stop exits 0: ${JSON.stringify(stopped)}`)

// --- the run reports ---------------------------------------------------------------------
const sum = (k) => reports.reduce((a, x) => a + (x?.[k] ?? 0), 0)
for (const x of reports) {
  check(x.status === 'success' || x.status === 'noop',
    `compaction run ${x.status}: ${x.error ?? ''} ${JSON.stringify(x.groups_skipped).slice(0, 1000)}`)
  check(x.rows_in === x.rows_out, `compaction rows in ${x.rows_in} out ${x.rows_out}`)
}
const commits = sum('commits')
const conflicts = sum('conflicts')
const retries = sum('retries')
check(commits >= 2, `compaction commits landed: ${commits} in ${reports.length} runs`)
check(conflicts > 0, `compaction commits met concurrent appends (lost compare-and-swaps): ${conflicts}`)
check(retries >= conflicts, `retries ${retries} count every lost swap (${conflicts})`)
check(metricCommits === commits, `floe_compaction_commits_total ${metricCommits}, reports ${commits}`)
check(metricConflicts === conflicts, `floe_compaction_conflicts_total ${metricConflicts}, reports ${conflicts}`)
check(metricRetries === retries, `floe_compaction_retries_total ${metricRetries}, reports ${retries}`)
check(flushes >= COMMITS, `append commits: ${flushes} in ${postMs} ms, want ${COMMITS}`)
const expired = expiries.reduce((a, x) => a + (x.snapshots_expired?.length ?? 0), 0)
check(expired > 0, `snapshots expired while appending: ${expired} in ${expiries.length} runs`)

// --- the log -----------------------------------------------------------------------------
const log = fs.readFileSync(server.logPath, 'utf8').split('\n').filter((l) => l.startsWith('{'))
  .map((l) => { try { return JSON.parse(l) } catch { return {} } })
const failed = log.filter((l) => l.event === 'ingest.flush_failed' || l.level === 'error')
check(failed.length === 0, `no append failed: ${JSON.stringify(failed.slice(0, 3))}`)
const commitLines = log.filter((l) => l.event === 'compaction.commit')
check(commitLines.length === commits, `${commitLines.length} compaction.commit lines, ${commits} commits`)
// Lost swaps of the commits that landed, plus one per commit round given up.
const retryLines = log.filter((l) => l.event === 'compaction.retry')
const loggedConflicts = commitLines.reduce((a, l) => a + l.conflicts, 0) + retryLines.length
check(loggedConflicts === conflicts, `the log counts ${loggedConflicts} conflicts, the reports ${conflicts}`)

// --- the table ---------------------------------------------------------------------------
// The oracle's stdout goes to a file: Node cuts piped output short when a script exits.
const reportFile = path.join(dir, 'check-table.json')
const fd = fs.openSync(reportFile, 'w')
spawnSync('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
  path.join(server.warehouse, 'catalog.db'), '--table', 'analytics.events', '--deep', '--sql',
  'SELECT event_id, count(*) AS n FROM t GROUP BY event_id'], { stdio: ['ignore', fd, 'inherit'] })
fs.closeSync(fd)
let table = null
try { table = JSON.parse(fs.readFileSync(reportFile, 'utf8')) } catch { /* reported below */ }
check(table !== null, 'check-table printed JSON')
if (table) {
  check(table.ok === true, `check-table --deep passes: ${JSON.stringify(table.errors).slice(0, 4000)}`)
  const twice = table.sql.filter((x) => Number(x.n) !== 1)
  check(twice.length === 0, `no event twice: ${JSON.stringify(twice.slice(0, 10))}`)
  const seen = new Set(table.sql.map((x) => x.event_id))
  const missing = [...acknowledged].filter((id) => !seen.has(id))
  check(missing.length === 0, `every acknowledged event is in the table: ${missing.length} missing, e.g. ${missing.slice(0, 10)}`)
  check(table.sql.length === acknowledged.size,
    `rows ${table.sql.length}, acknowledged ${acknowledged.size}`)
}

finish({ post_ms: postMs, acknowledged: acknowledged.size, append_commits: flushes,
  compaction_runs: reports.length, compaction_commits: commits, conflicts, retries, busy, refused,
  expiry_runs: expiries.length, snapshots_expired: expired,
  files_after: last?.files_out })
