#!/usr/bin/env node
// HTTP load for bench/ingest (b): posts NDJSON bodies of B events, cut from an events file, over C
// keep-alive connections for S seconds; each connection sends its next body when the previous
// one is answered. Then POST /admin/flush (ADMIN_TOKEN). Prints one JSON line: requests, events
// accepted, events/s, latency p50/p99 in ms, non-2xx answers (429/503 backpressure included).
//
//   node load.mjs http://127.0.0.1:8181 events.ndjson SECONDS CONNECTIONS BATCH
import fs from 'node:fs'
import http from 'node:http'
import readline from 'node:readline'

const [base, file, seconds = '30', connections = '8', batch = '500'] = process.argv.slice(2)
const url = new URL('/v1/events', base)
const B = Number(batch)

// Bodies cut from the file up front (up to 400 MB of events), so the client spends its time
// sending, not reading.
const bodies = []
let lines = []
for await (const line of readline.createInterface({ input: fs.createReadStream(file) })) {
  if (!line) continue
  lines.push(line)
  if (lines.length === B) {
    bodies.push(Buffer.from(lines.join('\n') + '\n'))
    lines = []
  }
}
if (bodies.length === 0) { console.error('no bodies'); process.exit(2) }

const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) })
function post(body) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint()
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length },
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6,
                                     text: Buffer.concat(chunks).toString() }))
    })
    req.on('error', (e) => resolve({ status: 0, ms: 0, text: String(e) }))
    req.end(body)
  })
}

let next = 0
let accepted = 0
let errors = 0
const latencies = []
const deadline = Date.now() + Number(seconds) * 1000
const started = Date.now()
async function worker() {
  while (Date.now() < deadline) {
    // Past the end of the file the bodies repeat with ids made new per pass ("p<pass>-..."), so
    // every event is accepted rather than counted as a duplicate.
    const i = next++
    const pass = Math.floor(i / bodies.length)
    const body = pass === 0 ? bodies[i % bodies.length]
      : Buffer.from(bodies[i % bodies.length].toString().replaceAll('"id":"', `"id":"p${pass}-`))
    const r = await post(body)
    if (r.status === 202 || r.status === 200) {
      latencies.push(r.ms)
      accepted += JSON.parse(r.text).accepted ?? 0
    } else {
      errors++
      if (r.status === 429 || r.status === 503) await new Promise((s) => setTimeout(s, 50))
    }
  }
}
await Promise.all(Array.from({ length: Number(connections) }, worker))
const elapsed = (Date.now() - started) / 1000
latencies.sort((a, b) => a - b)
const q = (p) => latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10) / 10 : null
const flush = await new Promise((resolve) => {
  const req = http.request(new URL('/admin/flush', base), {
    method: 'POST', headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN ?? ''}` },
  }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)) })
  req.on('error', () => resolve(0))
  req.end()
})
agent.destroy()
console.log(JSON.stringify({ requests: latencies.length, events: accepted, seconds: elapsed,
  events_per_second: accepted / elapsed, p50_ms: q(0.5), p99_ms: q(0.99), errors, flush_status: flush }))
