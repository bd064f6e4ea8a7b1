// Issue 7 must-show 3: headless Debian chromium, driven by playwright-core, opens /ui of a running
// `floe serve` whose table has been compacted and has new small files; checks the figures the page
// shows against GET /admin/status, runs a compaction from the page (dry run, then run), checks
// the result and the new figures appear, and saves a screenshot as
// ${FLOE_BUILD}/test-artifacts/ui.png. Also: the page asks for the token and keeps it in
// sessionStorage only, a wrong token is refused, and no request leaves the server's origin.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { spawnSync } from 'node:child_process'
import { check, env, finish, tempDir } from '../lib/common.mjs'
import { get, post, startServe } from '../ingest/serve_lib.mjs'

const here = path.dirname(new URL(import.meta.url).pathname)
const installed = spawnSync('bash', [path.join(here, 'install.sh'), env.build], { stdio: 'inherit' })
if (installed.status !== 0) { console.error('ui-test: npm ci of playwright-core failed'); process.exit(1) }
const require = createRequire(path.join(env.build, 'ui-test', 'node_modules', 'x.js'))
const { chromium } = require('playwright-core')
const CHROMIUM = process.env.FLOE_CHROMIUM ?? '/usr/bin/chromium'
if (!fs.existsSync(CHROMIUM)) { console.error(`ui-test: ${CHROMIUM} missing (Debian package chromium)`); process.exit(1) }

const dir = tempDir('observe-ui')
const TOKEN = 'ui-test-token'
const auth = { Authorization: `Bearer ${TOKEN}` }
const table = 'analytics.events'
const server = await startServe(dir, {
  args: ['--scheduler', 'off', '--sample-interval', '1s'],
  extraEnv: { ADMIN_TOKEN: TOKEN, FLOE_API_KEYS: '', COMPACTION_THRESHOLD: '2', BUFFER_TIME_SECONDS: '3600' },
})

// A table with history: 3 flushes of 3 day partitions, compacted, then 2 more flushes.
let n = 0
async function ingestRound() {
  const lines = []
  for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) {
    for (let i = 0; i < 50; i++) {
      n++
      lines.push(JSON.stringify({ id: `e${n}`, type: ['click', 'view'][n % 2], source: 'ui',
        time: `${day}T${String(i % 24).padStart(2, '0')}:00:00Z`, data: { user_id: `u${n % 9}` } }))
    }
  }
  const r = await post(`${server.url}/v1/events`, lines.join('\n'), { 'Content-Type': 'application/x-ndjson' })
  check(r.status === 202, `ingest: ${r.status} ${r.text.slice(0, 200)}`)
  const f = await post(`${server.url}/admin/flush`, '', auth)
  check(f.status === 200, `flush: ${f.status}`)
  await new Promise((resolve) => setTimeout(resolve, 1100))  // one history sample per step
}
for (let i = 0; i < 3; i++) await ingestRound()
const first = await post(`${server.url}/admin/compact`, JSON.stringify({ table, force: true }), auth)
check(first.status === 200 && first.json.status === 'success', `first compaction: ${first.text.slice(0, 300)}`)
for (let i = 0; i < 2; i++) await ingestRound()

async function status() {
  const r = await get(`${server.url}/admin/status`, auth)
  check(r.status === 200, `/admin/status: ${r.status}`)
  return r.json.tables.find((t) => t.table === table)
}
const FIGURES = ['data_files', 'bytes', 'small_files', 'records', 'snapshots', 'manifests',
  'quarantined_files', 'compaction_threshold']

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  const page = await context.newPage()
  const foreign = []
  page.on('request', (req) => { if (!req.url().startsWith(server.url)) foreign.push(req.url()) })
  const consoleErrors = []
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()) })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))

  // The page asks for the token; a wrong one is refused.
  await page.goto(`${server.url}/ui`)
  await page.waitForSelector('#login:not([hidden])')
  check(await page.locator('section[data-table]').count() === 0, 'no table shown before the token')
  await page.fill('#token', 'wrong-token')
  await page.click('#login-form button[type=submit]')
  await page.waitForSelector('#login-error:not([hidden])')
  check((await page.textContent('#login-error')).includes('refused'), 'a wrong token is refused')

  consoleErrors.length = 0  // the refused token's 401 was meant
  await page.fill('#token', TOKEN)
  await page.click('#login-form button[type=submit]')
  const card = page.locator(`section[data-table="${table}"]`)
  await card.waitFor()
  await page.waitForSelector('body[data-loaded]')
  const storage = await page.evaluate(() => ({ session: sessionStorage.getItem('floe.adminToken'), local: localStorage.length }))
  check(storage.session === TOKEN && storage.local === 0, `token in sessionStorage only: ${JSON.stringify(storage)}`)

  // Figures against /admin/status.
  async function compareFigures(label) {
    const want = await status()
    for (const f of FIGURES) {
      const shown = await card.locator(`[data-figure="${f}"]`).getAttribute('data-value')
      check(Number(shown) === want[f], `${label}: ${f} shown ${shown}, /admin/status says ${want[f]}`)
    }
    const text = await card.locator('[data-figure="data_files"] .figure-value').textContent()
    check(text === want.data_files.toLocaleString('en-US'), `${label}: data files text '${text}'`)
    const bars = await card.locator('.histogram rect.bar').count()
    check(bars === want.size_histogram.length, `${label}: ${bars} histogram bars for ${want.size_histogram.length} buckets`)
    const badge = want.backlog ? '.badge.backlog' : want.needs_compaction ? '.badge.needs' : '.badge.ok'
    check(await card.locator(badge).isVisible(), `${label}: ${badge} shown`)
    return want
  }
  const before = await compareFigures('before')
  check(before.small_files >= 2 && before.needs_compaction, `new small files to compact: ${JSON.stringify(before).slice(0, 200)}`)
  const trendPoints = (await card.locator('.trend path.line').first().getAttribute('d')).split('L').length
  check(trendPoints >= 3, `the trend has the history's samples: ${trendPoints} points`)
  check(await card.locator('.trend path.line').count() === 3, 'trend chart has its three lines')
  const runRows = card.locator('.runs tbody tr[data-action="compact"][data-status="success"][data-dry-run="false"]')
  check(await runRows.count() === 1, `the first compaction is listed: ${await runRows.count()}`)

  // Dry run, then run, from the page (forced: each partition has 3 files, under min_input_files).
  check(await card.locator('button.run').isDisabled(), 'run is disabled before a dry run')
  await card.locator('input.force').check()
  await card.locator('button.dry-run').click()
  const dry = card.locator('[data-result="dry-run"]')
  await dry.waitFor()
  const dryText = await dry.textContent()
  check(/groups would rewrite/.test(dryText), `dry run shown: ${dryText}`)
  check(await dry.locator('table.plan tbody tr').count() >= 1, 'dry run lists its groups')
  const afterDry = await status()
  check(afterDry.data_files === before.data_files, 'a dry run changes nothing')
  check(await card.locator('button.run').isEnabled(), 'run is enabled after a dry run with groups')
  await card.locator('button.run').click()
  const done = page.locator(`section[data-table="${table}"] [data-result="run"]`)
  await done.waitFor()
  check(await done.getAttribute('data-status') === 'success', `run result: ${await done.textContent()}`)
  const after = await compareFigures('after')
  check(after.data_files < before.data_files, `compaction from the page merged files: ${before.data_files} -> ${after.data_files}`)
  const rows = page.locator(`section[data-table="${table}"] .runs tbody tr[data-action="compact"][data-status="success"][data-dry-run="false"]`)
  check(await rows.count() === 2, `both compactions listed: ${await rows.count()}`)
  const runs = await get(`${server.url}/admin/runs?table=${table}&limit=10`, auth)
  const last = runs.json.runs.find((r) => r.action === 'compact' && !r.dry_run)
  check((await done.textContent()).includes(`${last.files_in} files`), `result shows the run's files_in ${last.files_in}`)

  const artifacts = path.join(env.build, 'test-artifacts')
  fs.mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: path.join(artifacts, 'ui.png'), fullPage: true })
  check(fs.statSync(path.join(artifacts, 'ui.png')).size > 10000, 'screenshot saved')

  // A new tab of a new session has no token.
  const other = await browser.newContext()
  const page2 = await other.newPage()
  await page2.goto(`${server.url}/ui`)
  await page2.waitForSelector('#login:not([hidden])')
  await other.close()

  check(foreign.length === 0, `requests only to the server: ${foreign.join(', ')}`)
  check(consoleErrors.length === 0, `no console errors: ${consoleErrors.join(' | ')}`)
} finally {
  await browser.close()
}
const stopped = await server.stop()
check(stopped.code === 0, `serve exit: ${JSON.stringify(stopped)}`)
finish({ test: 'observe_ui_browser' })
