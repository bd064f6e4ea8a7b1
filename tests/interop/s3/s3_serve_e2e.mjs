// The HTTP half of s3_serve_e2e.sh (argument: its work folder, s3rver running, AWS_* set):
// `floe ingest` of an NDJSON file, then `floe serve` with warehouse s3://lake/wh: 10 NDJSON
// bodies of 300 events over three days with a flush after every second one, one body sent
// again (all duplicates), a forced compaction, snapshot expiry, and orphan removal of a file
// planted under the table location; more events after that, committed at SIGTERM. Every
// acknowledged id goes to <work>/acked.txt for the oracle check that follows.
import fs from 'node:fs'
import path from 'node:path'
import { check, finish, floe, listFiles } from '../lib/common.mjs'
import { get, post, startServe } from '../ingest/serve_lib.mjs'

const work = process.argv[2]
const catalog = `sqlite:${path.join(work, 'catalog.db')}`
const storage = path.join(work, 's3', 'lake', 'wh', 'analytics', 'events')
const token = 'e2e-admin-token'
const admin = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
const acked = []
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function events(prefix, n) {
  const out = []
  for (let i = 0; i < n; i++) {
    const day = 1 + (i % 3)
    out.push(JSON.stringify({
      id: `${prefix}-${i}`, type: ['view', 'click', 'buy'][i % 3], source: 's3-e2e',
      time: `2026-04-0${day}T${String(i % 24).padStart(2, '0')}:00:00Z`,
      data: { user_id: `u${i % 11}`, n: i },
    }))
  }
  return out
}
const objects = (suffix) => listFiles(storage, `${suffix}._S3rver_object`)

// 1. floe ingest: its own state folder, the table created on first use.
const file = path.join(work, 'file.ndjson')
const fileEvents = events('file', 1000)
fs.writeFileSync(file, fileEvents.join('\n') + '\n')
const ingested = JSON.parse(floe(['ingest', file, '--warehouse', 's3://lake/wh', '--catalog', catalog,
  '--state-dir', path.join(work, 'ingest-state'), '--json'],
{ env: { ...process.env, FLOE_LOG_LEVEL: 'error' } }).trim().split('\n').pop())
check(ingested.accepted === 1000, `floe ingest accepted ${ingested.accepted}: ${JSON.stringify(ingested)}`)
for (let i = 0; i < 1000; i++) acked.push(`file-${i}`)
check(objects('.parquet').length >= 3, 'floe ingest wrote data files to s3rver')
check(fs.existsSync(path.join(work, 'ingest-state', 'wal')), 'floe ingest kept its WAL locally')

// 2. floe serve on the same warehouse and catalog.
const server = await startServe(work, {
  warehouse: 's3://lake/wh',
  args: ['--catalog', catalog],
  extraEnv: { ADMIN_TOKEN: token, FLOE_LOG_LEVEL: 'warn', BUFFER_TIME_SECONDS: '3600' },
})
check(fs.existsSync(path.join(server.stateDir, 'wal')), 'the WAL is in the local state folder')
const ndjson = { 'Content-Type': 'application/x-ndjson' }
let snapshots = 0
for (let b = 0; b < 10; b++) {
  const body = events(`http-${b}`, 300)
  const r = await post(`${server.url}/v1/events`, body.join('\n'), ndjson)
  check(r.status === 202 && r.json.accepted === 300, `body ${b}: ${r.status} ${r.text.slice(0, 200)}`)
  if (r.status === 202) for (let i = 0; i < 300; i++) acked.push(`http-${b}-${i}`)
  if (b === 4) {
    const again = await post(`${server.url}/v1/events`, body.join('\n'), ndjson)
    check(again.status === 202 && again.json.accepted === 0 && again.json.duplicates === 300,
      `re-sent body: ${again.status} ${again.text.slice(0, 200)}`)
  }
  if (b % 2 === 1) {
    const f = await post(`${server.url}/admin/flush`, '', admin)
    check(f.status === 200 && f.json.snapshot_id, `flush after body ${b}: ${f.status} ${f.text.slice(0, 300)}`)
    snapshots++
  }
}
const smallFiles = objects('.parquet').length
check(smallFiles >= 15, `${smallFiles} data files on s3rver before compaction`)

const compact = await post(`${server.url}/admin/compact`,
  JSON.stringify({ table: 'analytics.events', force: true }), admin)
check(compact.status === 200 && compact.json.status === 'success' && compact.json.files_in >= 15 &&
  compact.json.files_out <= 3 && compact.json.rows_in === compact.json.rows_out &&
  compact.json.rows_in === 4000, `compact: ${compact.status} ${compact.text.slice(0, 600)}`)

// s3rver's modification times have one-second steps: let every file age past the 1 s windows.
await sleep(2100)
const expire = await post(`${server.url}/admin/expire-snapshots`,
  JSON.stringify({ table: 'analytics.events', olderThan: '1s', retainLast: 1 }), admin)
check(expire.status === 200 && expire.json.status === 'success',
  `expire-snapshots: ${expire.status} ${expire.text.slice(0, 600)}`)
const afterExpiry = objects('.parquet').length
check(afterExpiry <= 3, `${afterExpiry} data files on s3rver after expiry (compacted outputs only)`)

const orphanUrl = `${process.env.AWS_ENDPOINT_URL}/lake/wh/analytics/events/data/orphan.parquet`
const put = await fetch(orphanUrl, { method: 'PUT', body: 'not referenced' })
check(put.ok, `orphan planted: ${put.status}`)
await sleep(2100)
const orphans = await post(`${server.url}/admin/remove-orphans`,
  JSON.stringify({ table: 'analytics.events', olderThan: '1s' }), admin)
check(orphans.status === 200 && orphans.json.status === 'success',
  `remove-orphans: ${orphans.status} ${orphans.text.slice(0, 600)}`)
check(!fs.existsSync(path.join(storage, 'data', 'orphan.parquet._S3rver_object')),
  'the orphan is gone from s3rver')
check(objects('.parquet').length === afterExpiry, 'remove-orphans kept every live data file')

// Events after maintenance, committed by the final flush at SIGTERM.
const last = await post(`${server.url}/v1/events`, events('last', 200).join('\n'), ndjson)
check(last.status === 202 && last.json.accepted === 200, `last body: ${last.status} ${last.text}`)
if (last.status === 202) for (let i = 0; i < 200; i++) acked.push(`last-${i}`)
const ready = await get(`${server.url}/ready`)
check(ready.status === 200, `/ready with the s3 warehouse: ${ready.status} ${ready.text}`)
const stopped = await server.stop()
check(stopped.code === 0, `floe serve exit: ${JSON.stringify(stopped)}: ` +
  fs.readFileSync(server.logPath, 'utf8').split('\n').slice(-6).join('\n'))

fs.writeFileSync(path.join(work, 'acked.txt'), acked.join('\n') + '\n')
const summary = {
  test: 's3_serve_e2e', acknowledged: acked.length, flushes: snapshots,
  data_files_before_compaction: smallFiles, compact: { files_in: compact.json?.files_in,
    files_out: compact.json?.files_out }, data_files_after_expiry: afterExpiry,
}
finish(summary)
