// `floe ingest` end to end, and killed mid-way.
//
// 1. gen_events.py NDJSON (with re-sent events), gzipped and plain, and a JSON array: `floe
//    ingest` reports every event as accepted or duplicate, and the table then holds each distinct
//    id once with its type, source and time (DuckDB over the live rows, check-table --deep).
//    1b: many chunks mapped out of order; 1c: a truncated and a corrupt gzip file stop the load
//    with exit 1 and a message, and what they let in lands once with the next run.
// 2. Runs killed with SIGKILL at random moments (small flush triggers, so kills land in WAL
//    writes, Parquet writes and commits). A run that exits 0 has committed everything it read:
//    its events are the acknowledged ones and must all be in the table once. A killed run may
//    have put any prefix of its input into the WAL; those events land at the next start (replay)
//    or not at all, but never twice. The final run, left to finish, replays what the killed ones
//    left behind.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { env, tempDir, check, finish, floe, run } from '../lib/common.mjs'

let seed = Number(process.env.FLOE_CRASH_SEED ?? Date.now() % 1000000)
console.log(`crash_ingest: seed ${seed}`)
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const dir = tempDir('ingest-cli')
const warehouse = path.join(dir, 'wh')
const stateDir = path.join(dir, 'state')
const common = ['--warehouse', warehouse, '--state-dir', stateDir, '--json']
const ingestEnv = { ...process.env, BUFFER_COUNT_THRESHOLD: '700', FLOE_LOG_LEVEL: 'error' }

// The oracle's stdout goes to a file: Node cuts piped output short when a script exits.
function checkTable(sql, wh = warehouse) {
  const file = path.join(dir, 'check-table.json')
  const fd = fs.openSync(file, 'w')
  spawnSync('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
    path.join(wh, 'catalog.db'), '--table', 'analytics.events', '--deep', '--sql', sql],
  { stdio: ['ignore', fd, 'inherit'] })
  fs.closeSync(fd)
  const report = JSON.parse(fs.readFileSync(file, 'utf8'))
  check(report.ok === true, `check-table --deep passes: ${JSON.stringify(report.errors).slice(0, 3000)}`)
  return report.sql
}

// 1. Whole runs.
const ndjson = path.join(dir, 'events.ndjson')
run('python3', [path.join(env.shared, 'bench', 'gen_events.py'), '--events', '4000',
  '--duplicates', '0.02', '--out', ndjson])
const lines = fs.readFileSync(ndjson, 'utf8').split('\n').filter((l) => l)
const events = lines.map((l) => JSON.parse(l))
const distinct = new Map(events.map((e) => [e.id, e]))
const gz = path.join(dir, 'events.ndjson.gz')
fs.writeFileSync(gz, zlib.gzipSync(lines.slice(0, 2500).join('\n') + '\n'))
const plain = path.join(dir, 'rest.ndjson')
fs.writeFileSync(plain, lines.slice(2500, 3500).join('\n') + '\n')
const array = path.join(dir, 'rest.json')
fs.writeFileSync(array, JSON.stringify(events.slice(3500)))

let accepted = 0
for (const file of [gz, plain, array]) {
  const r = JSON.parse(floe(['ingest', file, ...common], { env: ingestEnv }))
  check(r.rejected === 0, `${path.basename(file)}: nothing rejected: ${JSON.stringify(r.errors)}`)
  check(r.snapshot_id !== null && r.commits >= 1 && r.data_files >= 1, `${path.basename(file)}: committed: ${JSON.stringify(r)}`)
  accepted += r.accepted
}
check(accepted === distinct.size, `accepted ${accepted} = distinct ids ${distinct.size}`)
{
  const rows = checkTable(`SELECT event_id, type, source, epoch_ms("timestamp") AS ms, count(*) AS n FROM t GROUP BY ALL`)
  check(rows.length === distinct.size, `${rows.length} ids in the table, ${distinct.size} sent`)
  let wrong = 0
  for (const r of rows) {
    const e = distinct.get(r.event_id)
    if (!e || Number(r.n) !== 1 || r.type !== e.type || r.source !== e.source ||
        Number(r.ms) !== Date.parse(e.time)) {
      if (wrong++ < 5) check(false, `row ${JSON.stringify(r)} vs input ${JSON.stringify(e)}`)
    }
  }
  check(wrong === 0, `${wrong} rows differ from the input`)
}

// 1b. An input of many chunks (1 MiB each, mapped by two workers at once, ingested in order): the
// rejected lines are reported at their own indexes, and of two events with one id, the first in
// the input is the one kept. Chunks of ~20,000 small events alternate with chunks of two big
// ones, which map far faster: a big chunk is ready before the small one ahead of it.
{
  const many = path.join(dir, 'many.ndjson')
  const pad = 'x'.repeat(450 * 1024)
  const out = []
  const bad = []
  let duplicates = 0
  const time = '2026-03-01T00:00:00Z'
  for (let block = 0; block < 8; block++) {
    const first = out.length
    for (let i = 0; i < 20000; i++) {
      const n = out.length
      if (i === 1000 * (block + 1)) {
        bad.push(n)
        out.push(block % 2 === 0 ? '{"id": "broken", "type": ' : '{"id": "no-type", "source": "cli"}')
      } else {
        out.push(JSON.stringify({ id: `many-${n}`, type: 'small', source: 'first', time }))
      }
    }
    // Sent again, later, in a big chunk: the first one stays.
    duplicates++
    out.push(JSON.stringify({ id: `many-${first}`, type: 'small', source: 'later', time, data: { pad } }))
    out.push(JSON.stringify({ id: `many-${out.length}`, type: 'big', source: 'first', time, data: { pad } }))
  }
  fs.writeFileSync(many, out.join('\n') + '\n')
  const manyWarehouse = path.join(dir, 'many-wh')
  const r = JSON.parse(floe(['ingest', many, '--warehouse', manyWarehouse, '--state-dir',
    path.join(dir, 'many-state'), '--json'], { env: ingestEnv }))
  const indexes = r.errors.map((e) => e.index)
  check(JSON.stringify(indexes) === JSON.stringify(bad), `errors at the bad lines' indexes ${JSON.stringify(bad)}: ${JSON.stringify(r.errors)}`)
  check(r.rejected === bad.length && r.duplicates === duplicates &&
    r.accepted === out.length - bad.length - duplicates, `counts: ${JSON.stringify({ ...r, errors: undefined })}`)
  const rows = checkTable('SELECT source, count(*) AS n FROM t GROUP BY source', manyWarehouse)
  const sources = Object.fromEntries(rows.map((x) => [x.source, Number(x.n)]))
  check(JSON.stringify(sources) === JSON.stringify({ first: r.accepted }), `the first of each id is kept: ${JSON.stringify(sources)}`)
}

// 1c. A gzip file cut short stops the load with exit 1 and says so (zlib alone ends such a stream
// as if it were whole: the run would load what the file holds and exit 0); the events accepted
// before it wait in the WAL, and the next run on that state folder commits them once. A gzip
// file whose checksum is wrong stops the same way.
{
  const cutDir = path.join(dir, 'cut')
  const cutCommon = ['--warehouse', path.join(cutDir, 'wh'), '--state-dir', path.join(cutDir, 'state'), '--json']
  const out = []
  for (let i = 0; i < 30000; i++) {
    out.push(JSON.stringify({ id: `cut-${i}`, type: 'cut', source: 'cli', time: '2026-03-02T00:00:00Z', data: { i, pad: 'p'.repeat(60 + (i * 7919) % 40) } }))
  }
  const text = out.join('\n') + '\n'
  fs.mkdirSync(cutDir, { recursive: true })
  const whole = zlib.gzipSync(text)
  const cutFile = path.join(cutDir, 'cut.ndjson.gz')
  fs.writeFileSync(cutFile, whole.subarray(0, Math.floor(whole.length * 0.7)))
  const cut = spawnSync(env.floe, ['ingest', cutFile, ...cutCommon], { encoding: 'utf8', env: ingestEnv })
  check(cut.status === 1, `a truncated gzip file exits 1: ${cut.status} ${cut.stderr}`)
  check(cut.stderr.includes(`input ${cutFile}: the gzip data ends early (unexpected end of file): the file is truncated`),
    `it says the file is truncated: ${cut.stderr}`)
  check(/\d+ events were accepted before it; those not committed yet are in the write-ahead log of /.test(cut.stderr),
    `it says where the events read before are: ${cut.stderr}`)
  const badCrc = Buffer.from(whole)
  badCrc[badCrc.length - 6] ^= 0xff  // the CRC-32 in the trailer
  const badFile = path.join(cutDir, 'bad-crc.ndjson.gz')
  fs.writeFileSync(badFile, badCrc)
  const bad = spawnSync(env.floe, ['ingest', badFile, ...cutCommon], { encoding: 'utf8', env: ingestEnv })
  check(bad.status === 1 && bad.stderr.includes(`input ${badFile}: the gzip data is corrupt (incorrect data check)`),
    `a gzip file with a wrong checksum exits 1 and says so: ${bad.status} ${bad.stderr}`)
  const plainFile = path.join(cutDir, 'whole.ndjson')
  fs.writeFileSync(plainFile, text)
  const r = JSON.parse(floe(['ingest', plainFile, ...cutCommon], { env: ingestEnv }))
  check(r.rejected === 0 && r.accepted + r.duplicates === out.length && r.duplicates > 0,
    `the whole file after them: ${JSON.stringify({ ...r, errors: undefined })}`)
  const rows = checkTable('SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM t', path.join(cutDir, 'wh'))
  check(Number(rows[0].n) === out.length && Number(rows[0].ids) === out.length,
    `each of the ${out.length} events is in the table once: ${JSON.stringify(rows)}`)
}

// 2. Killed runs.
const acknowledged = new Set(distinct.keys())
const attempted = new Set(acknowledged)
function batchFile(round, n) {
  const file = path.join(dir, `round-${round}.ndjson`)
  const out = []
  for (let i = 0; i < n; i++) {
    const id = `kill-${round}-${i}`
    attempted.add(id)
    out.push(JSON.stringify({ id, type: 'crash', source: 'cli', time: '2026-02-01T00:00:00Z', data: { i } }))
  }
  fs.writeFileSync(file, out.join('\n') + '\n')
  return { file, ids: out.map((_, i) => `kill-${round}-${i}`) }
}
const ROUNDS = 4
let killed = 0
for (let round = 0; round < ROUNDS; round++) {
  const { file, ids } = batchFile(round, 25000)
  const child = spawn(env.floe, ['ingest', file, ...common], { env: ingestEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (d) => { stdout += d })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  // Kill once the run has written to the WAL (so it is mid-way whatever the build's speed),
  // after a further random delay.
  const walBytes = () => {
    try {
      const wal = path.join(stateDir, 'wal')
      return fs.readdirSync(wal).reduce((n, f) => n + fs.statSync(path.join(wal, f)).size, 0)
    } catch { return 0 }
  }
  const before = walBytes()
  let done = false
  exited.then(() => { done = true })
  while (!done && walBytes() <= before + 4096) await new Promise((s) => setTimeout(s, 10))
  if (!done) {
    await new Promise((s) => setTimeout(s, Math.floor(random() * 400)))
    child.kill('SIGKILL')
  }
  const { code, signal } = await exited
  if (signal === 'SIGKILL') {
    killed++
  } else {
    check(code === 0, `round ${round}: exit ${code}`)
    if (code === 0) for (const id of ids) acknowledged.add(id)
    console.log(`round ${round} finished before the kill: ${stdout.trim()}`)
  }
}
// The last run replays what the killed ones wrote to the WAL.
const last = batchFile('final', 100)
const r = JSON.parse(floe(['ingest', last.file, ...common], { env: ingestEnv }))
check(r.accepted === 100, `final run accepted its 100 events: ${JSON.stringify(r)}`)
for (const id of last.ids) acknowledged.add(id)

const rows = checkTable('SELECT event_id, count(*) AS n FROM t GROUP BY event_id')
const counts = new Map(rows.map((x) => [x.event_id, Number(x.n)]))
const twice = rows.filter((x) => Number(x.n) !== 1)
check(twice.length === 0, `no event twice: ${JSON.stringify(twice.slice(0, 5))}`)
const missing = [...acknowledged].filter((id) => !counts.has(id))
check(missing.length === 0, `acknowledged events all present: ${missing.length} missing (${missing.slice(0, 5)})`)
const stray = rows.filter((x) => !attempted.has(x.event_id))
check(stray.length === 0, `no event that was never sent: ${JSON.stringify(stray.slice(0, 5))}`)
console.log(`killed ${killed} of ${ROUNDS} runs; ${acknowledged.size} acknowledged, ${rows.length} rows`)
finish({ killed, acknowledged: acknowledged.size, rows: rows.length })
