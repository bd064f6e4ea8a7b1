// Must-show 4 of issue 5, through the floe binary on local files:
// 1. Corrupt inputs — a truncated file, a garbage footer, a page that does not decode and a
//    missing file, each in its own day partition — are quarantined and reported while every
//    group is still compacted; a second run leaves them alone.
// 2. `floe compact` SIGKILLed 20 times at random points (delays drawn from the run time observed
//    on a copy of the table): after every kill the oracle checks the table --deep and finds the
//    same rows (count and an order-free hash sum over all columns) as before; a final compaction
//    completes. A run that finished before its kill left nothing to compact: the table is then
//    put back as it was made (rows unchanged), so every kill lands in real work; killed runs
//    leave the table as they left it and the next run goes on from there.
//
//   node compact_kill_and_corrupt.mjs MAKE_SMALL_FILES   (through ctest: FLOE_BIN etc. set)
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { env, floe, run, check, finish, tempDir, listFiles } from '../lib/common.mjs'

const maker = process.argv[2]
const KILLS = 20
const table = ['--table', 'ns.events']
const oracle = (warehouse, extra = []) => {
  try {
    return JSON.parse(run('node', [path.join(env.oracle, 'check-table.mjs'), '--catalog-db',
      path.join(warehouse, 'catalog.db'), ...table, ...extra]))
  } catch (e) {
    return JSON.parse(e.stdout || '{"ok": false, "errors": ["no output"]}')
  }
}

// --- 1. corrupt inputs -------------------------------------------------------------------------
{
  const wh = tempDir('compaction-corrupt')
  const made = JSON.parse(run(maker, [wh, '4', '6', '60']))
  const data = path.join(wh, 'ns', 'events', 'data')
  const days = fs.readdirSync(data).sort()
  const file = (d, f) => path.join(data, days[d], `small-${f}.parquet`)
  const damaged = [file(0, 1), file(1, 2), file(2, 3), file(3, 4)]
  const size = fs.statSync(damaged[0]).size
  fs.truncateSync(damaged[0], Math.floor(size / 2))                  // truncated
  const footer = fs.readFileSync(damaged[1])                          // garbage footer
  for (let i = footer.length - 200; i < footer.length - 8; i++) footer[i] = 0xfe
  fs.writeFileSync(damaged[1], footer)
  const page = fs.readFileSync(damaged[2])                            // a page that does not decode
  for (let i = 40; i < 200; i++) page[i] = 0xff
  fs.writeFileSync(damaged[2], page)
  fs.rmSync(damaged[3])                                               // missing

  const report = JSON.parse(floe(['compact', '--warehouse', wh, ...table, '--force', '--json']))
  const quarantined = new Set((report.quarantined ?? []).map((q) => q.path.replace(/^file:\/\//, '')))
  check(report.status === 'success', `corrupt run: status ${report.status}`)
  check(report.groups_done === 4, `corrupt run: ${report.groups_done} groups done of 4`)
  check(report.files_in === made.files - 4, `corrupt run: files_in ${report.files_in}`)
  check(report.rows_in === report.rows_out, `corrupt run: rows ${report.rows_in} -> ${report.rows_out}`)
  for (const f of damaged) check(quarantined.has(f), `${f} not quarantined: ${[...quarantined]}`)
  check(quarantined.size === 4, `quarantined ${quarantined.size} files`)
  const again = JSON.parse(floe(['compact', '--warehouse', wh, ...table, '--force', '--json']))
  check(again.status === 'noop' && again.commits === 0, `second run over quarantined files: ${again.status}`)
}

// --- 2. SIGKILL at random points ----------------------------------------------------------------
const wh = tempDir('compaction-kill')
const made = JSON.parse(run(maker, [wh, '4', '40', '100']))
const pristine = tempDir('compaction-kill-pristine')
fs.cpSync(wh, pristine, { recursive: true })
const rowsSql = ['--sql', 'SELECT count(*) AS n, sum(hash(event_id, "timestamp", type, value)) AS h FROM t']
const before = oracle(wh, ['--deep', ...rowsSql])
check(before.ok, `before: ${JSON.stringify(before.errors)}`)
const want = JSON.stringify(before.sql)
check(Number(before.sql[0].n) === made.rows, `before: ${before.sql[0].n} rows of ${made.rows}`)

// How long a run takes here: one compaction of a copy.
const probe = tempDir('compaction-kill-probe')
fs.cpSync(pristine, probe, { recursive: true })
const t0 = Date.now()
floe(['compact', '--warehouse', probe, ...table, '--force', '--json'])
// A whole run that finishes before its kill shows a shorter run time: later delays are drawn
// from that (runs after a kill have less left to do and do not count).
let runMs = Math.max(Date.now() - t0, 50)
let fresh = true  // the table is as made
fs.rmSync(probe, { recursive: true, force: true })

// A seeded generator so a failure replays with FLOE_KILL_SEED.
let seed = Number(process.env.FLOE_KILL_SEED ?? Date.now() % 100000)
const random = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647 }
const startSeed = seed
const killedAfter = []
let finishedFirst = 0
let kills = 0
// Runs that finish before their kill do not count: up to three times as many runs for 20 kills.
for (let k = 0; kills < KILLS && k < 3 * KILLS; k++) {
  const delay = Math.floor(random() * runMs * 0.9)
  const args = ['compact', '--warehouse', wh, ...table, '--force', '--json']
  const spawned = Date.now()
  const child = spawn(env.floe, args, { stdio: 'ignore' })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - spawned })))
  await new Promise((resolve) => setTimeout(resolve, delay))
  child.kill('SIGKILL')
  const { code, signal, ms } = await exited
  if (signal !== 'SIGKILL') {
    finishedFirst++
    if (fresh) runMs = Math.max(Math.min(runMs, ms), 20)
    check(code === 0, `run ${k} ended with ${code} before the kill`)
  } else {
    kills++
    fresh = false
  }
  killedAfter.push(delay)
  const after = oracle(wh, ['--deep', ...rowsSql])
  check(after.ok, `after kill ${k} (${delay} ms, seed ${startSeed}): ${JSON.stringify(after.errors)}`)
  check(JSON.stringify(after.sql) === want,
    `after kill ${k} (${delay} ms, seed ${startSeed}): rows ${JSON.stringify(after.sql)}, want ${want}`)
  if (signal !== 'SIGKILL') {
    fs.rmSync(wh, { recursive: true, force: true })
    fs.cpSync(pristine, wh, { recursive: true })
    fresh = true
  }
}

check(kills === KILLS, `only ${kills} of ${finishedFirst + kills} runs were killed before they finished`)
const final = JSON.parse(floe(['compact', '--warehouse', wh, ...table, '--force', '--json']))
check(final.status === 'success' || final.status === 'noop', `final run: ${final.status} ${final.error ?? ''}`)
const last = JSON.parse(floe(['compact', '--warehouse', wh, ...table, '--force', '--json']))
check(last.status === 'noop', `a run after the final one: ${last.status}`)
check(final.rows_in === final.rows_out, `final run: rows ${final.rows_in} -> ${final.rows_out}`)
const end = oracle(wh, ['--deep', ...rowsSql])
check(end.ok && JSON.stringify(end.sql) === want, `after the final run: ${JSON.stringify(end.errors)} ${JSON.stringify(end.sql)}`)
const dataFiles = listFiles(path.join(wh, 'ns', 'events', 'data'), '.parquet').length
finish({ seed: startSeed, run_ms: runMs, kills, finished_before_kill: finishedFirst,
  delays_ms: killedAfter, final_status: final.status, parquet_files_on_disk: dataFiles })
