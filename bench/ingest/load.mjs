#!/usr/bin/env node
// HTTP load for bench/ingest (b): posts NDJSON bodies of B events, cut from an events file, over C
// keep-alive connections for S seconds; each connection sends its next body when the previous
// one is answered. Then POST /admin/flush (ADMIN_TOKEN). Prints one JSON line: requests, events
// accepted, events/s, latency p50/p99 in ms, non-2xx answers (429/503 backpressure included),
// and the client's own CPU seconds while posting (it shares the machine's cores with the server).
// MAX_REQUESTS > 0 stops after that many requests: a fixed amount of work, to compare the CPU
// time per event of two builds.
//
//   node load.mjs http://127.0.0.1:8181 events.ndjson SECONDS CONNECTIONS BATCH [MAX_REQUESTS]
//
// The client is kept cheap so that the server, not the client, is measured: each connection is
// a plain socket speaking HTTP/1.1 (request line, Host, Content-Type, Content-Length; the
// response's status line, Content-Length and Connection: close honoured), and every body is
// prepared before the clock starts. Ids repeat across passes over the file unless changed, so
// every event's id gets a prefix "p<pass, 4 digits>-" whose digits are rewritten in place when
// a body is sent again in a later pass: every event is accepted, none counted as a duplicate.
import fs from 'node:fs'
import net from 'node:net'

const [base, file, seconds = '30', connections = '8', batch = '500', maxRequests = '0'] =
  process.argv.slice(2)
const B = Number(batch)
const MAX = Number(maxRequests) > 0 ? Number(maxRequests) : Infinity
const target = new URL(base)

// The whole file with the id prefixes inserted (one copy), then bodies of B lines as slices of it.
const ID = Buffer.from('"id":"')
const PREFIX = Buffer.from('p0000-')
const text = (() => {
  const data = fs.readFileSync(file)
  const at = []
  for (let i = data.indexOf(ID); i >= 0; i = data.indexOf(ID, i + ID.length)) at.push(i + ID.length)
  const out = Buffer.allocUnsafe(data.length + at.length * PREFIX.length)
  let from = 0
  let to = 0
  for (const i of at) {
    to += data.copy(out, to, from, i)
    to += PREFIX.copy(out, to)
    from = i
  }
  data.copy(out, to, from)
  return out
})()
const bodies = []  // {body, digits: offsets of each id's 4 pass digits in body, pass}
for (let start = 0, lines = 0, pos = 0; pos < text.length;) {
  let nl = text.indexOf(10, pos)
  if (nl < 0) nl = text.length - 1
  if (nl > pos) lines++  // blank lines are not events (the server skips them too)
  pos = nl + 1
  if (lines === B || (pos >= text.length && lines > 0)) {
    if (lines === B) {
      const body = text.subarray(start, pos)
      const digits = []
      for (let i = body.indexOf(ID); i >= 0; i = body.indexOf(ID, i + ID.length)) {
        digits.push(i + ID.length + 1)
      }
      bodies.push({ body, digits, pass: 0 })
    }
    start = pos
    lines = 0
  }
}
if (bodies.length === 0) { console.error('no bodies'); process.exit(2) }

// Safe in place: a body is sent again only after its previous request was answered, and the
// server answers only after reading the whole body.
function bodyForPass(b, pass) {
  if (b.pass !== pass) {
    const d = [48 + Math.floor(pass / 1000) % 10, 48 + Math.floor(pass / 100) % 10,
      48 + Math.floor(pass / 10) % 10, 48 + pass % 10]
    for (const at of b.digits) {
      b.body[at] = d[0]
      b.body[at + 1] = d[1]
      b.body[at + 2] = d[2]
      b.body[at + 3] = d[3]
    }
    b.pass = pass
  }
  return b.body
}

// One keep-alive connection, one request at a time.
class Connection {
  constructor() {
    this.socket = null
    this.input = Buffer.alloc(0)
    this.answer = null  // resolves the request in flight
  }

  open() {
    return new Promise((resolve) => {
      const socket = net.connect(Number(target.port), target.hostname)
      socket.setNoDelay(true)
      socket.once('connect', () => resolve(true))
      socket.on('data', (chunk) => this.onData(chunk))
      socket.on('error', (e) => { this.fail(String(e)); resolve(false) })
      socket.on('close', () => { if (this.socket === socket) this.socket = null; this.fail('connection closed') })
      this.socket = socket
      this.input = Buffer.alloc(0)
    })
  }

  fail(why) {
    if (this.socket) { this.socket.destroy(); this.socket = null }
    const answer = this.answer
    this.answer = null
    if (answer) answer({ status: 0, text: why })
  }

  onData(chunk) {
    this.input = this.input.length ? Buffer.concat([this.input, chunk]) : chunk
    const end = this.input.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.input.toString('latin1', 0, end)
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)
    const size = length ? Number(length[1]) : 0
    if (this.input.length < end + 4 + size) return
    const status = Number(head.slice(9, 12))
    const body = this.input.toString('utf8', end + 4, end + 4 + size)
    this.input = this.input.subarray(end + 4 + size)
    if (/\r\nconnection:[ \t]*close/i.test(head) && this.socket) {
      this.socket.destroy()
      this.socket = null
    }
    const answer = this.answer
    this.answer = null
    if (answer) answer({ status, text: body })
  }

  async request(method, path, headers, body) {
    if (!this.socket && !(await this.open())) return { status: 0, text: 'cannot connect' }
    return new Promise((resolve) => {
      this.answer = resolve
      let head = `${method} ${path} HTTP/1.1\r\nHost: ${target.host}\r\n`
      for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`
      head += `Content-Length: ${body.length}\r\n\r\n`
      this.socket.cork()
      this.socket.write(head)
      if (body.length) this.socket.write(body)
      this.socket.uncork()
    })
  }

  close() { if (this.socket) { this.socket.destroy(); this.socket = null } }
}

let next = 0
let accepted = 0
let errors = 0
const latencies = []
const deadline = Date.now() + Number(seconds) * 1000
const started = Date.now()
const cpu0 = process.cpuUsage()
async function worker() {
  const conn = new Connection()
  while (Date.now() < deadline && next < MAX) {
    const i = next++
    const body = bodyForPass(bodies[i % bodies.length], Math.floor(i / bodies.length))
    const t0 = process.hrtime.bigint()
    const r = await conn.request('POST', '/v1/events', { 'Content-Type': 'application/x-ndjson' }, body)
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (r.status === 202 || r.status === 200) {
      latencies.push(ms)
      accepted += JSON.parse(r.text).accepted ?? 0
    } else {
      errors++
      if (r.status === 429 || r.status === 503) await new Promise((s) => setTimeout(s, 50))
    }
  }
  conn.close()
}
await Promise.all(Array.from({ length: Number(connections) }, worker))
const elapsed = (Date.now() - started) / 1000
const cpu = process.cpuUsage(cpu0)
latencies.sort((a, b) => a - b)
const q = (p) => latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10) / 10 : null
const admin = new Connection()
const flush = await admin.request('POST', '/admin/flush',
  { Authorization: `Bearer ${process.env.ADMIN_TOKEN ?? ''}` }, Buffer.alloc(0))
admin.close()
console.log(JSON.stringify({ requests: latencies.length, events: accepted, seconds: elapsed,
  events_per_second: accepted / elapsed, p50_ms: q(0.5), p99_ms: q(0.99), errors,
  flush_status: flush.status, client_cpu_seconds: Math.round((cpu.user + cpu.system) / 1e4) / 100 }))
