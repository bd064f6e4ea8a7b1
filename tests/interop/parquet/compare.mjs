// Row-by-row comparison of `floe parquet-cat` output with DuckDB's reading of the same file.
import { sql, lit, floe, parseJsonExact, check } from '../lib/common.mjs'

// floe's text forms → comparable values.
function timestampMicros(text) {
  const m = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$/.exec(text)
  if (!m) return null
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
  const date = new Date(0)
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0)
  const ms = date.getTime()
  const frac = (m[7] ?? '').padEnd(9, '0')
  return BigInt(ms) * 1000n + BigInt(frac.slice(0, 6))
}
function timeMicros(text) {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(text)
  if (!m) return null
  return (BigInt(m[1]) * 3600n + BigInt(m[2]) * 60n + BigInt(m[3])) * 1000000n +
    BigInt((m[4] ?? '').padEnd(6, '0').slice(0, 6))
}

// DuckDB SQL that turns a column into the canonical form compared below.
function canonicalExpr(name, type) {
  const c = `"${name.replaceAll('"', '""')}"`
  const t = type.toUpperCase()
  if (/^(STRUCT|MAP|UNION)\(/.test(t) || t.endsWith(']')) return { expr: `to_json(${c})::VARCHAR`, kind: 'nested' }
  if (t === 'TIME WITH TIME ZONE') return { expr: `(hour(${c}::TIME)::BIGINT*3600 + minute(${c}::TIME)::BIGINT*60)*1000000 + microsecond(${c}::TIME)`, kind: 'time' }
  if (t === 'TIMESTAMP_NS') return { expr: `epoch_ns(${c})`, kind: 'ts_ns' }
  if (t.startsWith('TIMESTAMP')) return { expr: `epoch_us(${c})`, kind: 'ts' }
  if (t === 'TIME') return { expr: `(hour(${c})::BIGINT*3600 + minute(${c})::BIGINT*60)*1000000 + microsecond(${c})`, kind: 'time' }
  if (t === 'DATE' || t.startsWith('DECIMAL') || t === 'UUID') return { expr: `${c}::VARCHAR`, kind: 'text' }
  if (t === 'BLOB') return { expr: `to_base64(${c})`, kind: 'text' }
  if (t === 'FLOAT') return { expr: `${c}::DOUBLE`, kind: 'float' }
  if (t === 'DOUBLE') return { expr: c, kind: 'double' }
  if (/INT/.test(t)) return { expr: `${c}::VARCHAR`, kind: 'int' }
  if (t === 'BOOLEAN' || t === 'VARCHAR') return { expr: c, kind: 'plain' }
  return { expr: `to_json(${c})::VARCHAR`, kind: 'nested' }
}

function sameNumber(a, b) {
  if (typeof a === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(a)) a = Number(a)
  if (typeof b === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(b)) b = Number(b)
  a = Number(a); b = Number(b)
  if (Number.isNaN(a) && Number.isNaN(b)) return true
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))
}

export function sameNested(a, b) {
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null)
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => sameNested(x, b[i]))
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort()
    if (ka.join('\u0001') !== kb.join('\u0001')) return false
    return ka.every((k) => sameNested(a[k], b[k]))
  }
  if (typeof a === 'bigint' || typeof b === 'bigint' || typeof a === 'number' || typeof b === 'number') {
    return String(a) === String(b) || sameNumber(a, b)
  }
  if (a === b) return true
  const ta = timestampMicros(String(a).replace(' ', 'T').replace(/\+00(:00)?$/, 'Z'))
  const tb = timestampMicros(String(b).replace(' ', 'T').replace(/\+00(:00)?$/, 'Z'))
  return ta !== null && ta === tb
}

function same(kind, floeValue, duckValue) {
  if (floeValue === null || floeValue === undefined) return duckValue === null || duckValue === undefined
  if (duckValue === null || duckValue === undefined) return false
  switch (kind) {
    case 'ts': return timestampMicros(floeValue) === BigInt(duckValue)
    case 'ts_ns': {
      const m = /\.(\d{9})Z?$/.exec(floeValue)
      const micros = timestampMicros(floeValue)
      return micros !== null && m && micros / 1000000n * 1000000000n + BigInt(m[1]) === BigInt(duckValue)
    }
    case 'time': return timeMicros(floeValue) === BigInt(duckValue)
    case 'text': return String(floeValue) === String(duckValue)
    case 'int': return String(floeValue) === String(duckValue)
    case 'float': return sameNumber(Math.fround(Number(floeValue)), Math.fround(Number(duckValue))) ||
      sameNumber(floeValue, duckValue)
    case 'double': return sameNumber(floeValue, duckValue)
    case 'plain': return floeValue === duckValue
    case 'nested': return sameNested(floeValue, parseJsonExact(duckValue))
  }
  return false
}

// Compares every row and column; returns the number of rows compared.
export async function compareFileWithDuckDB(file, label = file) {
  const columns = await sql(`DESCRIBE SELECT * FROM read_parquet(${lit(file)}, hive_partitioning = false)`)
  const canon = columns.map((c) => ({ name: c.column_name, ...canonicalExpr(c.column_name, c.column_type) }))
  const select = canon.map((c, i) => `${c.expr} AS c${i}`).join(', ')
  const duckRows = await sql(`SELECT ${select} FROM read_parquet(${lit(file)}, hive_partitioning = false)`)
  let out
  try {
    out = floe(['parquet-cat', file])
  } catch (e) {
    check(false, `${label}: ${e.message}`)
    return 0
  }
  const lines = out.split('\n').filter((l) => l.length)
  if (!check(lines.length === duckRows.length, `${label}: floe returned ${lines.length} rows, DuckDB ${duckRows.length}`)) return 0
  let mismatches = 0
  for (let r = 0; r < lines.length; r++) {
    const row = parseJsonExact(lines[r])
    for (let i = 0; i < canon.length; i++) {
      const c = canon[i]
      const fv = row[c.name]
      const dv = duckRows[r][`c${i}`]
      if (!same(c.kind, fv, dv)) {
        if (mismatches++ < 5) {
          check(false, `${label}: row ${r} column ${c.name} (${c.kind}): floe ${JSON.stringify(fv, (k, v) => typeof v === 'bigint' ? String(v) : v)} vs DuckDB ${String(dv)}`)
        }
      }
    }
  }
  check(mismatches === 0, `${label}: ${mismatches} mismatched values`)
  return lines.length
}
