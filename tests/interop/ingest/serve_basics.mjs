// `floe serve` start-up and shutdown as DESIGN.md promises them: a bad --listen stops start-up
// naming the setting; without ADMIN_TOKEN a random token is written to <state-dir>/admin-token
// (mode 0600, logged by path only, new at every start) and the admin API is never open; ingest is
// open without FLOE_API_KEYS; SIGINT commits what is buffered and exits 0; the server's heap is
// backed by huge pages where the kernel gives them on request, a one-shot command's is not.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { check, env, finish, run, tempDir } from '../lib/common.mjs'
import { get, post, startServe } from './serve_lib.mjs'

const dir = tempDir('serve-basics')

// A malformed listen address: exit 2 and a message naming the setting.
const bad = spawnSync(env.floe, ['serve', '--warehouse', path.join(dir, 'warehouse'),
  '--state-dir', path.join(dir, 'state'), '--listen', 'localhost'], { encoding: 'utf8' })
check(bad.status === 2, `serve --listen localhost exited ${bad.status}`)
check(bad.stderr.includes('--listen') && bad.stderr.includes("'localhost'"),
  `message names --listen and its value: ${bad.stderr}`)

const env0 = { ADMIN_TOKEN: '', FLOE_API_KEYS: '' }
let server = await startServe(dir, { extraEnv: env0 })
const tokenFile = path.join(server.stateDir, 'admin-token')
check(fs.existsSync(tokenFile), 'admin-token file written')
const mode = fs.statSync(tokenFile).mode & 0o777
check(mode === 0o600, `admin-token mode ${mode.toString(8)}, expected 600`)
const token = fs.readFileSync(tokenFile, 'utf8').trim()
check(/^[0-9a-f]{64}$/.test(token), 'admin token is 256 random bits in hex')

let r = await post(`${server.url}/admin/flush`, '')
check(r.status === 401, `flush without a token: ${r.status}`)
r = await post(`${server.url}/admin/flush`, '', { Authorization: `Bearer ${token}` })
check(r.status === 200 && r.json.snapshot_id === null && r.json.commits.length === 0,
  `flush of nothing: ${r.status} ${r.text}`)

r = await post(`${server.url}/v1/events`, '{"id":"a1","type":"t","source":"s","time":1764331200000}')
check(r.status === 202 && r.json.accepted === 1, `open ingest: ${r.status} ${r.text}`)
r = await post(`${server.url}/v1/tables/analytics/events/events`,
  '[{"id":"a2","type":"t"},{"id":"a1","type":"t"}]', { 'Content-Type': 'application/json' })
check(r.status === 202 && r.json.accepted === 1 && r.json.duplicates === 1,
  `ingest by table path: ${r.status} ${r.text}`)
r = await get(`${server.url}/ready`)
check(r.status === 200, `/ready: ${r.status} ${r.text}`)
r = await get(`${server.url}/metrics`)
check(r.status === 200 && r.text.includes('floe_ingest_requests_total{status="202"} 2') &&
  r.text.includes('floe_ingest_events_total{result="accepted"} 2') &&
  r.text.includes('floe_ingest_events_total{result="duplicate"} 1'),
  `/metrics counts the requests and events: ${r.status} ${r.text.slice(0, 300)}`)

// The maintenance routes are served too, behind the admin token.
r = await get(`${server.url}/admin/status`, { Authorization: `Bearer ${token}` })
check(r.status === 200, `/admin/status: ${r.status} ${r.text.slice(0, 300)}`)
r = await get(`${server.url}/admin/status`)
check(r.status === 401, `/admin/status without a token: ${r.status}`)
r = await post(`${server.url}/admin/fsck`, '{"table":"analytics.events"}', { Authorization: `Bearer ${token}` })
check(r.status === 200 && r.json.action === 'fsck', `/admin/fsck: ${r.status} ${r.text.slice(0, 300)}`)

server.proc.kill('SIGINT')
const stopped = await server.exited
check(stopped.code === 0, `exit on SIGINT: ${JSON.stringify(stopped)}`)
const log = fs.readFileSync(server.logPath, 'utf8')
check(log.includes(tokenFile), 'the log says where the admin token is')
check(!log.includes(token), 'the log does not contain the admin token')
check(log.includes('"event":"serve.stopped"'), 'serve.stopped logged')

const out = run('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
  path.join(server.warehouse, 'catalog.db'), '--table', 'analytics.events', '--sql',
  'SELECT count(*) AS n FROM t'])
const report = JSON.parse(out)
check(report.ok && Number(report.sql[0].n) === 2, `committed at shutdown: ${out.slice(0, 500)}`)

// A second start makes a new token.
server = await startServe(dir, { extraEnv: env0 })
const token2 = fs.readFileSync(tokenFile, 'utf8').trim()
check(token2 !== token, 'a new admin token at every start')
r = await post(`${server.url}/admin/flush`, '', { Authorization: `Bearer ${token}` })
check(r.status === 401, `the old token is refused: ${r.status}`)

// Huge pages for the heap (src/floe/common/malloc_tuning.h): where the kernel gives them on
// request (THP mode `madvise`), floe re-executes itself, same pid, with glibc.malloc.hugetlb=1,
// and the heap its buffers grew into is eligible; an operator's own GLIBC_TUNABLES choice stays.
const thpMode = fs.existsSync('/sys/kernel/mm/transparent_hugepage/enabled')
  ? fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8') : ''
const environ = (pid) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
  .filter((v) => v.startsWith('GLIBC_TUNABLES='))
// Whether some [heap] mapping of the process may hold transparent huge pages.
const heapEligible = (pid) => fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split(/\n(?=[0-9a-f]+-)/)
  .some((m) => m.split('\n')[0].endsWith('[heap]') && /THPeligible:\s+1/.test(m))
// ~10 MB of events in four bodies: enough for the buffers to grow the heap by huge pages.
const bulk = Array.from({ length: 5000 }, (_, i) => JSON.stringify({
  id: `bulk-${i}`, type: 'page_view', source: 'web', time: 1764331200000 + i,
  properties: { path: `/p/${i}`, text: 'x'.repeat(400) } })).join('\n')
async function postBulk(url) {
  for (let k = 0; k < 4; k++) {
    const b = await post(`${url}/v1/events`, bulk.replaceAll('"bulk-', `"bulk${k}-`))
    check(b.status === 202, `bulk body ${k}: ${b.status} ${b.text.slice(0, 200)}`)
  }
}
// Re-executed or not, the process is named floe (ps, top, pgrep floe, pkill floe), not "exe".
const comm = fs.readFileSync(`/proc/${server.proc.pid}/comm`, 'utf8').trim()
check(comm === 'floe', `the process is named floe: ${comm}`)
if (thpMode.includes('[madvise]')) {
  check(JSON.stringify(environ(server.proc.pid)) === '["GLIBC_TUNABLES=glibc.malloc.hugetlb=1"]',
    `floe serve runs with glibc.malloc.hugetlb=1: ${environ(server.proc.pid)}`)
  await postBulk(server.url)
  check(heapEligible(server.proc.pid), 'the heap of floe serve is eligible for huge pages')
} else {
  check(environ(server.proc.pid).length === 0, `THP mode ${thpMode.trim()}: no re-exec needed`)
}
const stopped2 = await server.stop()
check(stopped2.code === 0, `second exit: ${JSON.stringify(stopped2)}`)
if (thpMode.includes('[madvise]')) {
  server = await startServe(dir, { extraEnv: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' } })
  check(JSON.stringify(environ(server.proc.pid)) === '["GLIBC_TUNABLES=glibc.malloc.hugetlb=0"]',
    `the operator's GLIBC_TUNABLES is kept: ${environ(server.proc.pid)}`)
  await postBulk(server.url)
  check(!heapEligible(server.proc.pid), 'with glibc.malloc.hugetlb=0 the heap keeps 4 KiB pages')
  const stopped3 = await server.stop()
  check(stopped3.code === 0, `third exit: ${JSON.stringify(stopped3)}`)
}

// Only the server asks for huge pages: a one-shot command (here `floe ingest -`, waiting on its
// input once its state folder is made) runs as started, without re-exec or GLIBC_TUNABLES.
{
  const oneShot = path.join(dir, 'one-shot')
  const ingest = spawn(env.floe, ['ingest', '-', '--warehouse', path.join(oneShot, 'warehouse'),
    '--state-dir', path.join(oneShot, 'state')], { stdio: ['pipe', 'pipe', 'pipe'] })
  const exited = new Promise((resolve) => ingest.on('exit', (code) => resolve(code)))
  const started = Date.now()
  while (!fs.existsSync(path.join(oneShot, 'state', 'wal')) && Date.now() - started < 30000) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  check(fs.existsSync(path.join(oneShot, 'state', 'wal')), 'floe ingest - made its state folder')
  check(environ(ingest.pid).length === 0,
    `floe ingest runs without GLIBC_TUNABLES: ${environ(ingest.pid)}`)
  ingest.stdin.end('{"id":"one","type":"t"}\n')
  check(await exited === 0, 'floe ingest - exits 0 at the end of its input')
}

finish({ test: 'serve_basics' })
