// Issue 4, must-show 4 (the RSS half): `floe serve` under more events than its buffers hold keeps
// its peak RSS (VmHWM) within max-buffered-bytes plus a fixed overhead. The server runs with a
// 64 MiB buffer limit (16 MiB flushes) and a 100,000-id dedup window, with durability none so
// the client outpaces flushes and backpressure (429/503) is reached; 8 connections post 500-event
// NDJSON bodies (gen_events.py events, ids made new per pass) until 800,000 events are accepted,
// about 5x the limit in JSON. Fixed overhead allowed: the idle server's RSS plus 96 MiB (the
// request bodies, decoded and mapped, of the connections being served, the WAL's buffers, a
// flush's Parquet pages and sorted batches, the dedup window, the allocator's slack).
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { check, env, finish, run, tempDir } from '../lib/common.mjs'
import { post, startServe } from './serve_lib.mjs'

const MiB = 1 << 20
const LIMIT = 64 * MiB
const OVERHEAD = 96 * MiB
const TARGET = 800000
const BATCH = 500
const CONNECTIONS = 8
const ADMIN = 'interop-admin-token'

const dir = tempDir('serve-memory')
const input = path.join(dir, 'events.ndjson')
run('python3', [path.join(env.shared, 'bench', 'gen_events.py'), '--events', '100000',
  '--out', input])
const lines = fs.readFileSync(input, 'utf8').split('\n').filter((l) => l.length > 0)
const bodies = []
for (let i = 0; i < lines.length; i += BATCH) bodies.push(lines.slice(i, i + BATCH).join('\n') + '\n')

function statusKb(pid, field) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
  return m ? Number(m[1]) * 1024 : NaN
}

const server = await startServe(dir, {
  args: ['--durability', 'none'],
  extraEnv: {
    ADMIN_TOKEN: ADMIN, FLOE_API_KEYS: '', FLOE_MAX_BUFFERED_BYTES: String(LIMIT),
    BUFFER_SIZE_BYTES: String(16 * MiB), BUFFER_TIME_SECONDS: '3600', FLOE_DEDUP_MAX_IDS: '100000',
  },
})
const idle = statusKb(server.proc.pid, 'VmRSS')

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
function postBody(body) {
  return new Promise((resolve) => {
    const req = http.request(new URL('/v1/events', server.url), {
      method: 'POST', agent,
      headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString(),
        retryAfter: Number(res.headers['retry-after'] || 0) }))
    })
    req.on('error', (e) => resolve({ status: 0, text: String(e) }))
    req.end(body)
  })
}

let accepted = 0
let refused = 0
let other = 0
let next = 0
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function worker() {
  while (accepted < TARGET && other === 0) {
    const i = next++
    const pass = Math.floor(i / bodies.length)
    const body = bodies[i % bodies.length].replaceAll('"id":"', `"id":"m${pass}-`)
    let r = await postBody(body)
    while (r.status === 429 || r.status === 503) {
      refused++
      await sleep(50)  // Retry-After is whole seconds; a short pause keeps the buffers full
      r = await postBody(body)
    }
    if (r.status !== 202) {
      other++
      check(false, `post: ${r.status} ${r.text.slice(0, 300)}`)
      break
    }
    accepted += JSON.parse(r.text).accepted
  }
}
await Promise.all(Array.from({ length: CONNECTIONS }, worker))
const peak = statusKb(server.proc.pid, 'VmHWM')
const flushed = await post(`${server.url}/admin/flush`, '', { Authorization: `Bearer ${ADMIN}` })
check(flushed.status === 200, `flush: ${flushed.status} ${flushed.text.slice(0, 300)}`)
const stopped = await server.stop()
check(stopped.code === 0, `exit on SIGTERM: ${JSON.stringify(stopped)}`)
agent.destroy()

check(accepted >= TARGET, `accepted ${accepted} of ${TARGET}`)
check(peak <= idle + LIMIT + OVERHEAD,
  `peak RSS ${(peak / MiB).toFixed(1)} MiB > idle ${(idle / MiB).toFixed(1)} + limit 64 + overhead 96 MiB`)
finish({ accepted, refused, idle_rss_mib: +(idle / MiB).toFixed(1), peak_rss_mib: +(peak / MiB).toFixed(1),
  bound_mib: +((idle + LIMIT + OVERHEAD) / MiB).toFixed(1) })
