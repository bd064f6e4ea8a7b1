// Issue 7 must-show 1: after ingest and a compaction, GET /metrics of the real `floe serve` parses
// as Prometheus text (promtool check metrics, and Debian's python3-prometheus-client as an
// independent parser) and every metric the issue lists has the value this test computes itself:
// table figures from the table's own metadata and manifests (read by the oracle), compaction
// figures from the files that left and joined the table, ingest figures from what was sent,
// process figures from /proc/<pid>.
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { check, env, finish, tempDir } from '../lib/common.mjs'
import { get, post, startServe } from '../ingest/serve_lib.mjs'

const { loadTable } = await import(path.join(env.oracle, 'lib', 'iceberg.mjs'))

const dir = tempDir('observe-metrics')
const TOKEN = 'observe-test-token'
const THRESHOLD = 2
const TARGET_MB = 8
const auth = { Authorization: `Bearer ${TOKEN}` }
const startedAt = Date.now() / 1000

const server = await startServe(dir, {
  args: ['--scheduler', 'off'],
  extraEnv: {
    ADMIN_TOKEN: TOKEN, FLOE_API_KEYS: '', COMPACTION_THRESHOLD: String(THRESHOLD),
    TARGET_FILE_SIZE_MB: String(TARGET_MB), BUFFER_TIME_SECONDS: '3600',
  },
})
const catalogDb = path.join(server.warehouse, 'catalog.db')
const table = 'analytics.events'

// ---- ingest: 3 rounds of events over 3 days, each round flushed (3 small files per round) ----
const days = ['2026-11-01', '2026-11-02', '2026-11-03']
const sent = { requests: {}, accepted: 0, rejected: 0, duplicate: 0, bytes: 0, flushes: 0 }
const count = (status) => { sent.requests[status] = (sent.requests[status] ?? 0) + 1 }
async function send(body, headers = { 'Content-Type': 'application/x-ndjson' }) {
  const r = await post(`${server.url}/v1/events`, body, headers)
  count(String(r.status))
  sent.bytes += Buffer.byteLength(body)
  if (r.status === 202) {
    sent.accepted += r.json.accepted
    sent.rejected += r.json.rejected
    sent.duplicate += r.json.duplicates
  }
  return r
}
let n = 0
for (let round = 0; round < 3; round++) {
  const lines = []
  for (const day of days) {
    for (let i = 0; i < 40; i++) {
      n++
      lines.push(JSON.stringify({
        id: `ev-${n}`, type: ['click', 'view', 'buy'][n % 3], source: 'observe',
        time: `${day}T${String(i % 24).padStart(2, '0')}:00:00Z`, data: { user_id: `u${n % 7}` },
      }))
    }
  }
  if (round === 1) {
    lines.push(JSON.stringify({ id: 'ev-1', type: 'click', time: `${days[0]}T00:00:00Z` }))  // duplicate
    lines.push(JSON.stringify({ id: 'no-type', time: `${days[0]}T00:00:00Z` }))  // rejected: no type
  }
  const r = await send(lines.join('\n') + '\n')
  check(r.status === 202, `round ${round}: ${r.status} ${r.text.slice(0, 200)}`)
  const f = await post(`${server.url}/admin/flush`, '', auth)
  check(f.status === 200 && f.json.commits.length === 1, `flush ${round}: ${f.status} ${f.text}`)
  sent.flushes++
}
// Requests that are refused whole: malformed JSON (400), an unsupported media type (415).
check((await send('{"id": "x", "type": ', { 'Content-Type': 'application/json' })).status === 400,
  'malformed body answered 400')
check((await send('<event/>', { 'Content-Type': 'application/xml' })).status === 415,
  'xml body answered 415')
check(sent.accepted === 360 && sent.duplicate === 1 && sent.rejected === 1,
  `server's 202 bodies: ${JSON.stringify(sent)}`)

// ---- the table before compaction (read by the oracle, not by floe) ----
const before = await loadTable({ catalogDb, table })
const beforeFiles = new Map(before.dataFiles.map((f) => [f.file_path, f]))
check(before.dataFiles.length === 9, `9 small files before compaction, found ${before.dataFiles.length}`)

// ---- compaction through the admin API ----
const tCompact0 = Date.now() / 1000
const c = await post(`${server.url}/admin/compact`, JSON.stringify({ table, force: true }), auth)
const tCompact1 = Date.now() / 1000
check(c.status === 200 && c.json.status === 'success', `compact: ${c.status} ${c.text.slice(0, 400)}`)
const report = c.json ?? {}

const after = await loadTable({ catalogDb, table })
const afterFiles = new Map(after.dataFiles.map((f) => [f.file_path, f]))
const removed = [...beforeFiles.values()].filter((f) => !afterFiles.has(f.file_path))
const added = [...afterFiles.values()].filter((f) => !beforeFiles.has(f.file_path))
const sum = (xs, k) => xs.reduce((a, f) => a + Number(f[k]), 0)
const newSnapshots = (after.md.snapshots ?? []).filter((s) =>
  !(before.md.snapshots ?? []).some((b) => String(b['snapshot-id']) === String(s['snapshot-id'])))
const expectRun = {
  files_in: removed.length, files_out: added.length,
  bytes_in: sum(removed, 'file_size_in_bytes'), bytes_out: sum(added, 'file_size_in_bytes'),
  rows_out: sum(added, 'record_count'),
  commits: newSnapshots.filter((s) => s.summary?.operation === 'replace').length,
}
check(expectRun.files_in === 9 && expectRun.files_out === 3 && expectRun.rows_out === 360,
  `compaction merged 9 files into 3: ${JSON.stringify(expectRun)}`)
for (const [k, v] of Object.entries(expectRun)) {
  check(report[k] === v, `report ${k} = ${report[k]}, the table says ${v}`)
}

// ---- /metrics: parsed twice, independently ----
const m = await get(`${server.url}/metrics`)
check(m.status === 200, `/metrics: ${m.status}`)
check(/^text\/plain; version=0\.0\.4/.test(m.headers.get('content-type') ?? ''),
  `content type ${m.headers.get('content-type')}`)
const metricsFile = path.join(dir, 'metrics.txt')
fs.writeFileSync(metricsFile, m.text)
const promtool = spawnSync('promtool', ['check', 'metrics'], { input: m.text, encoding: 'utf8' })
check(promtool.status === 0, `promtool check metrics: ${promtool.status} ${promtool.stdout}${promtool.stderr}`)
const parsed = spawnSync('/usr/bin/python3',
  [path.join(path.dirname(new URL(import.meta.url).pathname), 'parse_metrics.py'), metricsFile],
  { encoding: 'utf8' })
check(parsed.status === 0, `prometheus_client parser: ${parsed.status} ${parsed.stderr}`)
const samples = parsed.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))

// The value of one sample, found by name and labels (exact label set match on the given ones).
function value(name, labels = {}) {
  const hits = samples.filter((s) => s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (hits.length !== 1) return undefined
  return Number(hits[0].value)
}
function expectEq(name, labels, want, tolerance = 0) {
  const got = value(name, labels)
  check(got !== undefined && Math.abs(got - want) <= tolerance,
    `${name}${JSON.stringify(labels)} = ${got}, expected ${want}`)
}
const t = { table }

// Tables: computed from the metadata and manifests of the current snapshot.
const smallLimit = 0.75 * TARGET_MB * 1024 * 1024
const sizes = after.dataFiles.map((f) => Number(f.file_size_in_bytes))
const small = sizes.filter((s) => s < smallLimit).length
expectEq('floe_table_data_files', t, after.dataFiles.length)
expectEq('floe_table_bytes', t, sizes.reduce((a, b) => a + b, 0))
expectEq('floe_table_records', t, sum(after.dataFiles, 'record_count'))
expectEq('floe_table_small_files', t, small)
expectEq('floe_table_snapshots', t, (after.md.snapshots ?? []).length)
expectEq('floe_table_manifests', t, after.manifests.length)
expectEq('floe_table_quarantined_files', t, 0)
expectEq('floe_compaction_threshold', t, THRESHOLD)
expectEq('floe_table_backlog', t, small > 2 * THRESHOLD ? 1 : 0)
expectEq('floe_table_file_size_bytes_count', t, sizes.length)
expectEq('floe_table_file_size_bytes_sum', t, sizes.reduce((a, b) => a + b, 0))
for (let i = 0, le = 65536; i < 10; i++, le *= 4) {
  const samplesLe = samples.filter((s) => s.name === 'floe_table_file_size_bytes_bucket' &&
    s.labels.table === table && Number(s.labels.le) === le)
  const want = sizes.filter((s) => s <= le).length
  check(samplesLe.length === 1 && Number(samplesLe[0].value) === want,
    `file size bucket le=${le}: ${samplesLe.map((s) => s.value)}, expected ${want}`)
}
expectEq('floe_table_file_size_bytes_bucket', { table, le: '+Inf' }, sizes.length)

// Compaction: the figures of the files that left and joined the table.
expectEq('floe_compaction_runs_total', { table, result: 'success' }, 1)
for (const result of ['failure', 'partial', 'noop']) {
  const v = value('floe_compaction_runs_total', { table, result })
  check(v === undefined || v === 0, `no ${result} runs: ${v}`)
}
expectEq('floe_compaction_files_read_total', t, expectRun.files_in)
expectEq('floe_compaction_files_written_total', t, expectRun.files_out)
expectEq('floe_compaction_bytes_read_total', t, expectRun.bytes_in)
expectEq('floe_compaction_bytes_written_total', t, expectRun.bytes_out)
expectEq('floe_compaction_rows_total', t, expectRun.rows_out)
expectEq('floe_compaction_commits_total', t, expectRun.commits)
expectEq('floe_compaction_retries_total', t, 0)
expectEq('floe_compaction_conflicts_total', t, 0)
expectEq('floe_compaction_duration_seconds_count', t, 1)
expectEq('floe_compaction_duration_seconds_sum', t, report.duration_ms / 1000, 1e-9)
check(report.duration_ms / 1000 <= tCompact1 - tCompact0 + 0.01,
  `run duration ${report.duration_ms} ms within the request's ${(tCompact1 - tCompact0) * 1000} ms`)
expectEq('floe_compaction_cpu_seconds_total', t, report.cpu_ms / 1000, 1e-9)
expectEq('floe_compaction_peak_memory_bytes', t, report.peak_memory_bytes)
check(report.peak_memory_bytes > 0, `peak memory ${report.peak_memory_bytes}`)
const lastSuccess = value('floe_compaction_last_success_timestamp_seconds', t)
check(lastSuccess >= tCompact0 - 1 && lastSuccess <= tCompact1 + 1,
  `last success ${lastSuccess} within [${tCompact0}, ${tCompact1}]`)
expectEq('floe_maintenance_runs_total', { table, action: 'compact', result: 'success' }, 1)
expectEq('floe_maintenance_duration_seconds_count', { table, action: 'compact' }, 1)

// Ingest: what this test sent and what the server's 202 bodies said.
for (const [status, k] of Object.entries(sent.requests)) {
  expectEq('floe_ingest_requests_total', { status }, k)
}
expectEq('floe_ingest_events_total', { result: 'accepted' }, sent.accepted)
expectEq('floe_ingest_events_total', { result: 'rejected' }, sent.rejected)
expectEq('floe_ingest_events_total', { result: 'duplicate' }, sent.duplicate)
expectEq('floe_ingest_bytes_total', {}, sent.bytes)
expectEq('floe_ingest_flushes_total', { reason: 'admin' }, sent.flushes)
expectEq('floe_ingest_flush_duration_seconds_count', {}, sent.flushes)
expectEq('floe_commit_duration_seconds_count', { table, operation: 'append' }, sent.flushes)
expectEq('floe_ingest_buffer_bytes', {}, 0)
expectEq('floe_ingest_buffer_limit_bytes', {}, 512 * 1024 * 1024)
expectEq('floe_wal_limit_bytes', {}, 2 * 1024 * 1024 * 1024)
const walDir = path.join(server.stateDir, 'wal')
const walBytes = fs.readdirSync(walDir).reduce((a, f) => a + fs.statSync(path.join(walDir, f)).size, 0)
expectEq('floe_wal_bytes', {}, walBytes)

// Process: read from /proc/<pid> by this test.
const pid = server.proc.pid
const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')  // fields[0] is field 3
const ticks = 100  // USER_HZ on Linux
const btime = Number(fs.readFileSync('/proc/stat', 'utf8').match(/^btime (\d+)$/m)[1])
const startTime = btime + Number(fields[22 - 3]) / ticks
expectEq('process_start_time_seconds', {}, startTime, 0.02)
check(startTime >= startedAt - 2, `start time ${startTime} after the test began ${startedAt}`)
const rssKb = Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1])
const rss = value('process_resident_memory_bytes')
check(rss > 0.5 * rssKb * 1024 && rss < 2 * rssKb * 1024,
  `resident memory ${rss} near VmRSS ${rssKb * 1024}`)
const fds = fs.readdirSync(`/proc/${pid}/fd`).length
const openFds = value('process_open_fds')
check(openFds >= 3 && Math.abs(openFds - fds) <= 4, `open fds ${openFds}, /proc says ${fds}`)
const maxFds = Number(fs.readFileSync(`/proc/${pid}/limits`, 'utf8').match(/Max open files\s+(\d+)/)[1])
expectEq('process_max_fds', {}, maxFds)
const cpu = (Number(fields[14 - 3]) + Number(fields[15 - 3])) / ticks
const cpuMetric = value('process_cpu_seconds_total')
check(cpuMetric > 0 && cpuMetric <= cpu + 0.05, `cpu ${cpuMetric} s, /proc says ${cpu} s now`)

// /admin/status reports the same table figures.
const st = await get(`${server.url}/admin/status`, auth)
const row = (st.json?.tables ?? []).find((x) => x.table === table) ?? {}
check(row.data_files === after.dataFiles.length && row.small_files === small &&
  row.manifests === after.manifests.length, `/admin/status agrees: ${JSON.stringify(row).slice(0, 300)}`)

const stopped = await server.stop()
check(stopped.code === 0, `serve exit: ${JSON.stringify(stopped)}`)
finish({ test: 'observe_metrics_e2e', samples: samples.length, sent, run: expectRun })
