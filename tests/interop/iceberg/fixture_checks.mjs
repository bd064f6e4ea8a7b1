// The checks of ../shared/fixtures/iceberg/EXPECTED.json run through `floe scan` (shared by
// scan_fixtures.mjs, which reads the fixtures as they are, and the compaction test, which reads
// compacted copies): row counts, sums, min/max, distinct counts, selected rows, files per spec.
import { spawnSync } from 'node:child_process'
import { check, env, floe, parseJsonExact } from '../lib/common.mjs'

// Scans are memoized: the lineitem tables are read once per filter, not once per check.
let scans = 0
const memo = new Map()
export function scan(args, opts) {
  const key = JSON.stringify([args, opts?.cwd ?? ''])
  if (!memo.has(key)) {
    scans++
    memo.set(key, floe(['scan', ...args], opts))
  }
  return memo.get(key)
}
export function rowsOf(text) {
  return text.split('\n').filter((l) => l.length > 0).map(parseJsonExact)
}

// EXPECTED.json's filters are DuckDB SQL; floe's --where takes the same forms (DATE '…',
// TIMESTAMPTZ '…', X'…', BETWEEN) except map subscripts, which it cannot express: such a
// conjunct is left out and applied here on the table's other columns only when it is the one
// documented map predicate (its rows are all in the partition the rest of the filter selects).
export function floeFilter(filter) {
  if (!filter) return { where: null, dropped: [] }
  const parts = filter.split(/\s+AND\s+/i)
  const kept = []
  const dropped = []
  for (let i = 0; i < parts.length; i++) {
    if (/\[/.test(parts[i])) dropped.push(parts[i])
    else if (/\bBETWEEN\b/i.test(parts[i]) && i + 1 < parts.length) kept.push(`${parts[i]} AND ${parts[++i]}`)
    else kept.push(parts[i])
  }
  return { where: kept.join(' AND '), dropped }
}

// A decimal string as [unscaled BigInt, scale].
function dec(s) {
  const t = String(s)
  const neg = t.startsWith('-')
  const [i, f = ''] = (neg ? t.slice(1) : t).split('.')
  const v = BigInt(i + f)
  return [neg ? -v : v, f.length]
}
function decToString(v, scale) {
  const neg = v < 0n
  let s = (neg ? -v : v).toString().padStart(scale + 1, '0')
  if (scale > 0) s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale)
  return (neg ? '-' : '') + s
}
const isDecimalString = (v) => typeof v === 'string' && /^-?\d+\.\d+$/.test(v)
// floe prints timestamptz as …+00:00; EXPECTED.json as …Z, sometimes with a note.
function norm(v) {
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : String(v)
  if (typeof v === 'string') {
    const s = v.replace(/\s*\(.*\)$/, '')
    if (/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(s)) return s.slice(0, -1) + '+00:00'
    return s
  }
  return JSON.stringify(v)
}
function compare(a, b) {
  if (isDecimalString(a) && isDecimalString(b)) {
    const [x, sx] = dec(a)
    const [y, sy] = dec(b)
    const l = x * 10n ** BigInt(sy)
    const r = y * 10n ** BigInt(sx)
    return l < r ? -1 : l > r ? 1 : 0
  }
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = BigInt(a)
    const y = BigInt(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0
}
function sum(values) {
  if (values.some(isDecimalString)) {
    let total = 0n
    let scale = 0
    for (const v of values) {
      if (v === null) continue
      const [x, s] = dec(v)
      if (s > scale) { total *= 10n ** BigInt(s - scale); scale = s }
      total += x * 10n ** BigInt(scale - s)
    }
    return decToString(total, scale)
  }
  return values.filter((v) => v !== null).reduce((a, v) => a + BigInt(v), 0n).toString()
}
function product(a, b) {
  if (a === null || b === null) return null
  const [x, sx] = dec(a)
  const [y, sy] = dec(b)
  return decToString(x * y, sx + sy)
}

// One check `c` of table `t` against the table at `metadata` (a metadata file or folder);
// 'partial' when floe could only check part of it (documented per case), else 'ok'.
export function runCheck(t, c, metadata, label) {
  const { where, dropped } = floeFilter(c.filter)
  const base = ['--metadata', metadata, ...(where ? ['--where', where] : [])]
  const what = `${label}: ${c.sql_like_description}`
  if (c.aggregate === 'files_per_spec') {
    // Live data files per spec: the plan's file count for a filter-free scan equals the sum.
    const stats = JSON.parse(floeStats(base))
    const total = Object.values(c.expected).reduce((a, b) => a + b, 0)
    check(stats.data_files === total, `${what}: ${stats.data_files} live data files, expected ${total}`)
    return 'partial'
  }
  if (c.aggregate === 'count(*)') {
    const got = scan([...base, '--count']).trim()
    if (dropped.length) {
      // The map predicate holds for every row the rest selects (the fixture's rows have it).
      check(got === String(c.expected), `${what}: got ${got} (without ${dropped.join(', ')})`)
      return 'partial'
    }
    check(got === String(c.expected), `${what}: got ${got}, expected ${c.expected}`)
    return 'ok'
  }
  const rows = rowsOf(scan(base))
  switch (c.aggregate) {
    case 'sum': {
      let values
      if (c.column.includes('*')) {
        const [a, b] = c.column.split('*')
        values = rows.map((r) => product(r[a], r[b]))
      } else {
        values = rows.map((r) => r[c.column])
      }
      const got = sum(values)
      check(compare(got, String(c.expected)) === 0, `${what}: got ${got}, expected ${c.expected}`)
      break
    }
    case 'min':
    case 'max': {
      const values = rows.map((r) => r[c.column]).filter((v) => v !== null)
      let best = values[0]
      for (const v of values) {
        const k = compare(v, best)
        if ((c.aggregate === 'min' && k < 0) || (c.aggregate === 'max' && k > 0)) best = v
      }
      check(norm(best) === norm(c.expected), `${what}: got ${norm(best)}, expected ${norm(c.expected)}`)
      break
    }
    case 'count_distinct': {
      const got = new Set(rows.map((r) => norm(r[c.column]))).size
      check(got === c.expected, `${what}: got ${got}, expected ${c.expected}`)
      break
    }
    case 'value': {
      const got = rows.map((r) => norm(r[c.column]))
      check(got.length === 1 && got[0] === norm(c.expected),
        `${what}: got ${JSON.stringify(got)}, expected ${norm(c.expected)}`)
      break
    }
    case 'rows': {
      const got = rows.map((r) => JSON.stringify(Object.values(r).map(norm))).sort()
      const want = c.expected.map((r) => JSON.stringify(r.map(norm))).sort()
      check(JSON.stringify(got) === JSON.stringify(want),
        `${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`)
      break
    }
    case 'row': {
      const m = /^SELECT (.*) FROM t WHERE (.*)$/.exec(c.sql_like_description)
      check(m !== null, `${what}: cannot read the columns and filter of this check`)
      if (!m) break
      const columns = m[1].split(',').map((s) => s.trim())
      const selected = rowsOf(scan(['--metadata', metadata, '--where', m[2]]))
      const got = selected.map((r) => JSON.stringify(columns.map((col) => norm(r[col]))))
      const want = JSON.stringify(c.expected.map(norm))
      check(got.length === 1 && got[0] === want, `${what}: got ${got.join(' ')}, expected ${want}`)
      break
    }
    default:
      check(false, `${what}: unknown aggregate ${c.aggregate}`)
  }
  return 'ok'
}

function floeStats(args) {
  scans++
  const r = spawnSync(env.floe, ['scan', ...args, '--count', '--stats'], { encoding: 'utf8' })
  check(r.status === 0, `floe scan --stats exited ${r.status}: ${r.stderr}`)
  return r.stderr.trim().split('\n').pop()
}

// floe runs so far (scans and stats).
export const scanCount = () => scans
