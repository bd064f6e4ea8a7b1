// floe's dashboard: every figure comes from the admin API (Bearer admin token) or /metrics.
// Plain DOM and inline SVG; no framework, no CDN, nothing built.
'use strict'

const TOKEN_KEY = 'floe.adminToken'
const REFRESH_MS = 30000
const SVG = 'http://www.w3.org/2000/svg'
const $ = (sel, root = document) => root.querySelector(sel)

let lastIngest = null  // {accepted, at} from the previous /metrics read
let timer = null

// ---- formatting ----
function fmtInt(n) { return Number(n).toLocaleString('en-US') }
function fmtBytes(n) {
  n = Number(n)
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)} ${units[i]}`
}
// Bucket bounds (64 KiB × 4^n) as axis labels: "64K", "1M", "16G".
function shortBytes(n) {
  const units = ['', 'K', 'M', 'G', 'T']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${Math.round(n)}${units[i]}`
}
function fmtMs(ms) {
  ms = Number(ms)
  if (ms < 1000) return `${ms} ms`
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`
}
function fmtTime(iso) {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString('en-GB', { hour12: false })
}
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v
    else if (k === 'text') e.textContent = v
    else e.setAttribute(k, v)
  }
  for (const c of children) e.append(c)
  return e
}
function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  return e
}

// ---- the admin API ----
class Unauthorized extends Error {}
async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY)
  const res = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(options.headers ?? {}) },
  })
  if (res.status === 401) throw new Unauthorized('the admin token was refused')
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new Error(`${path}: ${res.status} ${body?.error ?? ''}`)
  return body
}

// ---- login ----
function showLogin(message) {
  if (timer) clearInterval(timer)
  $('#login').hidden = false
  $('#tables').replaceChildren()
  $('#refresh').hidden = true
  $('#sign-out').hidden = true
  const err = $('#login-error')
  err.hidden = !message
  err.textContent = message ?? ''
  $('#token').focus()
}

// ---- charts ----
// A line chart of one or more series over time on one scale, the left axis labelled by `fmt`.
function trendChart(samples, series, fmt, H = 120) {
  const W = 520, L = 64, R = 12, T = 10, B = 22
  const box = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'svg', role: 'img' })
  if (samples.length === 0) {
    const t = svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' })
    t.textContent = 'no samples yet (one a minute)'
    box.append(t)
    return box
  }
  const times = samples.map((s) => new Date(s.time).getTime())
  const t0 = Math.min(...times), t1 = Math.max(...times)
  const x = (t) => L + (t1 === t0 ? (W - L - R) / 2 : ((t - t0) / (t1 - t0)) * (W - L - R))
  const max = Math.max(1, ...series.flatMap((s) => samples.map((p) => Number(p[s.key]))))
  const y = (v) => T + (1 - v / max) * (H - T - B)
  for (let i = 0; i <= 2; i++) {
    const v = max * (1 - i / 2)
    box.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }))
    const lbl = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' })
    lbl.textContent = fmt(v)
    box.append(lbl)
  }
  for (const s of series) {
    const values = samples.map((p) => Number(p[s.key]))
    const d = values.map((v, i) => `${i ? 'L' : 'M'}${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
    box.append(svg('path', { d, class: `line ${s.cls}` }))
    if (values.length === 1) box.append(svg('circle', { cx: x(times[0]), cy: y(values[0]), r: 3, class: `dot ${s.cls}` }))
  }
  const short = t1 - t0 < 10 * 60000
  for (const [t, anchor] of [[t0, 'start'], [t1, 'end']]) {
    const lbl = svg('text', { x: x(t), y: H - 6, 'text-anchor': anchor, class: 'axis' })
    lbl.textContent = new Date(t).toLocaleTimeString('en-GB',
      { hour12: false, hour: '2-digit', minute: '2-digit', ...(short ? { second: '2-digit' } : {}) })
    box.append(lbl)
  }
  return box
}

// Bars of the size histogram (buckets of /metrics: 64 KiB × 4^n), the small-file limit marked.
function histogramChart(buckets, smallLimit) {
  const W = 520, H = 180, L = 36, R = 8, T = 14, B = 34
  const box = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'svg', role: 'img' })
  const max = Math.max(1, ...buckets.map((b) => b.files))
  const bw = (W - L - R) / Math.max(1, buckets.length)
  let prev = 0
  buckets.forEach((b, i) => {
    const h = (b.files / max) * (H - T - B)
    const upper = b.le === '+Inf' ? Infinity : Number(b.le)
    const small = prev < smallLimit
    const rect = svg('rect', { x: L + i * bw + 3, y: H - B - h, width: bw - 6, height: Math.max(h, b.files ? 1 : 0), class: small ? 'bar small' : 'bar' })
    const tip = svg('title')
    tip.textContent = `${b.files} files ${prev ? `> ${fmtBytes(prev)}` : ''} ≤ ${upper === Infinity ? '∞' : fmtBytes(upper)}`
    rect.append(tip)
    box.append(rect)
    if (b.files) {
      const n = svg('text', { x: L + i * bw + bw / 2, y: H - B - h - 3, 'text-anchor': 'middle', class: 'count' })
      n.textContent = fmtInt(b.files)
      box.append(n)
    }
    const lbl = svg('text', { x: L + i * bw + bw / 2, y: H - B + 14, 'text-anchor': 'middle', class: 'axis' })
    lbl.textContent = upper === Infinity ? `>${shortBytes(prev)}` : `≤${shortBytes(upper)}`
    box.append(lbl)
    prev = upper
  })
  box.append(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axisline' }))
  return box
}

function thresholdBar(small, threshold) {
  const limit = Math.max(2 * threshold, small, 1)
  const wrap = el('div', { class: 'meter' })
  const fill = el('div', { class: `meter-fill ${small > 2 * threshold ? 'over' : small >= threshold ? 'due' : ''}` })
  fill.style.width = `${(100 * small) / limit}%`
  const mark1 = el('div', { class: 'meter-mark', title: 'COMPACTION_THRESHOLD' })
  mark1.style.left = `${(100 * threshold) / limit}%`
  const mark2 = el('div', { class: 'meter-mark backlog-mark', title: '2 × threshold: backlog' })
  mark2.style.left = `${(100 * 2 * threshold) / limit}%`
  wrap.append(fill, mark1, mark2)
  return el('div', {}, wrap,
    el('p', { class: 'muted', text: `${fmtInt(small)} small files; compaction at ${fmtInt(threshold)}, backlog above ${fmtInt(2 * threshold)}` }))
}

// ---- one table ----
function figure(name, label, value, text, extraClass = '') {
  return el('div', { class: `figure ${extraClass}`, 'data-figure': name, 'data-value': String(value) },
    el('div', { class: 'figure-value', text }), el('div', { class: 'figure-label', text: label }))
}

function renderRuns(tbody, runs) {
  tbody.replaceChildren()
  if (runs.length === 0) {
    tbody.append(el('tr', {}, el('td', { colspan: '9', class: 'muted', text: 'no runs yet' })))
    return
  }
  for (const r of runs) {
    tbody.append(el('tr', { 'data-action': r.action, 'data-status': r.status, 'data-dry-run': String(Boolean(r.dry_run)) },
      el('td', { text: fmtTime(r.finished) }),
      el('td', { text: r.action + (r.dry_run ? ' (dry run)' : '') }),
      el('td', {}, el('span', { class: `status ${r.status}`, text: r.status })),
      el('td', { class: 'num', text: `${fmtInt(r.files_in ?? 0)} → ${fmtInt(r.files_out ?? 0)}` }),
      el('td', { class: 'num', text: `${fmtBytes(r.bytes_in ?? 0)} → ${fmtBytes(r.bytes_out ?? 0)}` }),
      el('td', { class: 'num', text: fmtInt(r.rows_out ?? 0) }),
      el('td', { class: 'num', text: fmtInt(r.commits ?? 0) }),
      el('td', { class: 'num', text: fmtMs(r.duration_ms ?? 0) }),
      el('td', { class: 'num', text: fmtBytes(r.peak_memory_bytes ?? 0) })))
  }
}

function ingestRate(samples) {
  if (samples.length < 2) return 'the rate appears after two samples'
  const a = samples[Math.max(0, samples.length - 6)], b = samples[samples.length - 1]
  const seconds = (new Date(b.time) - new Date(a.time)) / 1000
  if (seconds <= 0) return ''
  const rows = b.records - a.records
  return seconds < 120
    ? `${fmtInt(Math.round(rows / seconds))} rows/s over the last ${Math.round(seconds)} s`
    : `${fmtInt(Math.round((rows * 60) / seconds))} rows/min over the last ${Math.round(seconds / 60)} min`
}

function planView(report, dryRun) {
  const plan = report.plan ?? {}
  const wrap = el('div', { class: `result ${dryRun ? 'dry' : 'done'}`, 'data-result': dryRun ? 'dry-run' : 'run', 'data-status': report.status })
  if (dryRun) {
    wrap.append(el('p', {}, el('strong', { text: 'Dry run: ' }),
      document.createTextNode(`${plan.decision ?? report.status}. ${fmtInt(plan.groups?.length ?? 0)} groups would rewrite ` +
        `${fmtInt((plan.groups ?? []).reduce((a, g) => a + g.files, 0))} files ` +
        `(${fmtBytes((plan.groups ?? []).reduce((a, g) => a + g.bytes, 0))}).`)))
    if ((plan.groups ?? []).length) {
      const t = el('table', { class: 'plan' }, el('thead', {}, el('tr', {},
        el('th', { text: 'partition' }), el('th', { text: 'files' }), el('th', { text: 'bytes' }),
        el('th', { text: 'rows' }), el('th', { text: 'reason' }))))
      const body = el('tbody')
      for (const g of plan.groups) {
        body.append(el('tr', {}, el('td', { text: g.partition || '(unpartitioned)' }),
          el('td', { class: 'num', text: fmtInt(g.files) }), el('td', { class: 'num', text: fmtBytes(g.bytes) }),
          el('td', { class: 'num', text: fmtInt(g.rows) }), el('td', { text: g.reason })))
      }
      t.append(body)
      wrap.append(t)
    }
  } else {
    wrap.append(el('p', {}, el('strong', { text: `Compaction ${report.status}: ` }),
      document.createTextNode(`${fmtInt(report.files_in)} files (${fmtBytes(report.bytes_in)}) → ` +
        `${fmtInt(report.files_out)} files (${fmtBytes(report.bytes_out)}), ${fmtInt(report.rows_out)} rows, ` +
        `${fmtInt(report.commits)} commits in ${fmtMs(report.duration_ms)}, peak memory ${fmtBytes(report.peak_memory_bytes)}.`)))
  }
  return wrap
}

function bindCompaction(card, name) {
  const dry = $('.dry-run', card), run = $('.run', card), out = $('.compact-result', card)
  const body = (dryRun) => JSON.stringify({ table: name, dryRun, force: $('.force', card).checked })
  dry.onclick = async () => {
    dry.disabled = true
    out.replaceChildren(el('p', { class: 'muted', text: 'planning…' }))
    try {
      const report = await api('/admin/compact', { method: 'POST', body: body(true) })
      out.replaceChildren(planView(report, true))
      run.disabled = !(report.plan?.groups?.length > 0)
    } catch (e) { handle(e, out) } finally { dry.disabled = false }
  }
  run.onclick = async () => {
    run.disabled = true
    dry.disabled = true
    out.append(el('p', { class: 'muted', text: 'compacting…' }))
    try {
      const report = await api('/admin/compact', { method: 'POST', body: body(false) })
      await refresh()
      const fresh = $(`section[data-table="${CSS.escape(name)}"] .compact-result`)
      if (fresh) fresh.replaceChildren(planView(report, false))
    } catch (e) { handle(e, out) } finally { dry.disabled = false }
  }
}

async function renderTable(status, previous) {
  const name = status.table
  const card = $('#table-template').content.firstElementChild.cloneNode(true)
  card.dataset.table = name
  $('.table-name', card).textContent = name
  if (status.error) {
    $('.figures', card).append(el('p', { class: 'error', text: status.error }))
    return card
  }
  $('.badge.backlog', card).hidden = !status.backlog
  $('.badge.needs', card).hidden = status.backlog || !status.needs_compaction
  $('.badge.ok', card).hidden = status.backlog || status.needs_compaction
  $('.figures', card).append(
    figure('data_files', 'data files', status.data_files, fmtInt(status.data_files)),
    figure('bytes', 'bytes', status.bytes, fmtBytes(status.bytes)),
    figure('small_files', `small files (< ${fmtBytes(status.small_file_limit_bytes)})`, status.small_files,
      fmtInt(status.small_files), status.backlog ? 'warn' : ''),
    figure('records', 'rows', status.records, fmtInt(status.records)),
    figure('snapshots', 'snapshots', status.snapshots, fmtInt(status.snapshots)),
    figure('manifests', 'manifests', status.manifests, fmtInt(status.manifests)),
    figure('quarantined_files', 'quarantined', status.quarantined_files, fmtInt(status.quarantined_files),
      status.quarantined_files ? 'warn' : ''),
    figure('compaction_threshold', 'threshold', status.compaction_threshold, fmtInt(status.compaction_threshold)))
  const q = encodeURIComponent(name)
  const [history, runs] = await Promise.all([
    api(`/admin/history?table=${q}&since=24h`), api(`/admin/runs?table=${q}&limit=10`)])
  $('.trend', card).append(
    trendChart(history.samples, [{ key: 'data_files', cls: 'files' }, { key: 'small_files', cls: 'small' }],
      (v) => fmtInt(Math.round(v))),
    trendChart(history.samples, [{ key: 'bytes', cls: 'bytes' }], (v) => fmtBytes(Math.round(v)), 100))
  $('.histogram', card).append(histogramChart(status.size_histogram ?? [], status.small_file_limit_bytes))
  $('.histogram-note', card).textContent = `orange: buckets below the small-file size ${fmtBytes(status.small_file_limit_bytes)}`
  $('.threshold', card).append(thresholdBar(status.small_files, status.compaction_threshold))
  $('.ingest', card).textContent = ingestRate(history.samples)
  renderRuns($('.runs tbody', card), runs.runs)
  if (previous) {
    // Keep what the operator was looking at across refreshes.
    $('.force', card).checked = $('.force', previous).checked
    $('.compact-result', card).replaceChildren(...$('.compact-result', previous).childNodes)
    $('.run', card).disabled = $('.run', previous).disabled
  }
  bindCompaction(card, name)
  return card
}

async function readIngestRate() {
  try {
    const text = await (await fetch('/metrics')).text()
    const m = text.match(/^floe_ingest_events_total\{result="accepted"\} (\S+)$/m)
    const accepted = m ? Number(m[1]) : 0
    const now = Date.now()
    const pill = $('#ingest-rate')
    if (lastIngest && now > lastIngest.at) {
      const rate = (accepted - lastIngest.accepted) / ((now - lastIngest.at) / 1000)
      pill.textContent = `ingest ${rate.toFixed(rate < 10 ? 1 : 0)} events/s`
    } else {
      pill.textContent = `${fmtInt(accepted)} events accepted`
    }
    lastIngest = { accepted, at: now }
  } catch { /* /metrics may be blocked by a proxy: the rest of the page still works */ }
}

function handle(e, where) {
  if (e instanceof Unauthorized) { sessionStorage.removeItem(TOKEN_KEY); showLogin(e.message); return }
  const msg = el('p', { class: 'error', text: String(e.message ?? e) })
  if (where) where.replaceChildren(msg)
  else { $('#error').hidden = false; $('#error').textContent = msg.textContent }
}

async function refresh() {
  try {
    const status = await api('/admin/status')
    $('#login').hidden = true
    $('#refresh').hidden = false
    $('#sign-out').hidden = false
    $('#error').hidden = true
    $('#server-info').textContent = `node ${status.node} · ${fmtTime(status.time)}`
    const cards = []
    for (const t of status.tables) {
      cards.push(await renderTable(t, $(`section[data-table="${CSS.escape(t.table)}"]`)))
    }
    $('#tables').replaceChildren(...cards)
    if (status.tables.length === 0) $('#tables').append(el('p', { class: 'muted', text: 'no tables' }))
    await readIngestRate()
    document.body.dataset.loaded = status.time
  } catch (e) { handle(e) }
}

function connect() {
  if (!sessionStorage.getItem(TOKEN_KEY)) { showLogin(); return }
  refresh()
  if (timer) clearInterval(timer)
  timer = setInterval(refresh, REFRESH_MS)
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', (ev) => {
    ev.preventDefault()
    sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim())
    $('#token').value = ''
    connect()
  })
  $('#refresh').onclick = () => refresh()
  $('#sign-out').onclick = () => { sessionStorage.removeItem(TOKEN_KEY); showLogin() }
  connect()
})
