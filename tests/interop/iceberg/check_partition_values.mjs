// node check_partition_values.mjs METADATA_JSON
// Recomputes every bucket[N] and truncate[W] partition value of the current snapshot's live data
// files from the rows of the file (read by DuckDB) and compares it with the value in the manifest.
// The oracle does not check bucket values and truncates strings only approximately, so this holds
// floe's transforms to the spec (Appendix B: murmur3_x86_32, seed 0; truncate by code points).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pathToFileURL } from 'node:url'
import { env, sql, lit, check, finish } from '../lib/common.mjs'

const { readAvroFile } = await import(pathToFileURL(path.join(env.oracle, 'lib', 'avro.mjs')).href)

function murmur3(buf) {
  const c1 = 0xcc9e2d51
  const c2 = 0x1b873593
  const mix = (k) => Math.imul(((k = Math.imul(k, c1)) << 15) | (k >>> 17), c2)
  let h = 0
  let i = 0
  for (; i + 4 <= buf.length; i += 4) {
    h ^= mix(buf.readInt32LE(i))
    h = ((h << 13) | (h >>> 19))
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  let k = 0
  const rest = buf.length & 3
  if (rest === 3) k ^= buf[i + 2] << 16
  if (rest >= 2) k ^= buf[i + 1] << 8
  if (rest >= 1) { k ^= buf[i]; h ^= mix(k) }
  h ^= buf.length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

function hashValue(type, v) {
  if (type === 'int' || type === 'long' || type === 'date' || type === 'time' ||
      type.startsWith('timestamp')) {
    const b = Buffer.alloc(8)
    b.writeBigInt64LE(BigInt(v))
    return murmur3(b)
  }
  if (type === 'string') return murmur3(Buffer.from(v, 'utf8'))
  if (type === 'uuid') return murmur3(Buffer.from(v.replaceAll('-', ''), 'hex'))
  const dec = /^decimal\((\d+), *(\d+)\)$/.exec(type)
  if (dec) return murmur3(decimalBytes(String(v), Number(dec[2])))
  return undefined
}

// Minimal big-endian two's-complement bytes of the unscaled value of decimal text.
function decimalBytes(text, scale) {
  const [whole, frac = ''] = text.split('.')
  const unscaled = BigInt(whole + frac.padEnd(scale, '0'))
  let n = 1
  while (unscaled < -(1n << BigInt(8 * n - 1)) || unscaled >= (1n << BigInt(8 * n - 1))) n++
  let x = BigInt.asUintN(8 * n, unscaled)
  const out = Buffer.alloc(n)
  for (let i = n - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn)
  return out
}

// The spec's test vectors (Appendix B), so a wrong hash here cannot pass as agreement.
check(hashValue('int', 34) === 2017239379, 'murmur3 of int 34')
check(hashValue('long', 34) === 2017239379, 'murmur3 of long 34')
check(hashValue('string', 'iceberg') === 1210000089, 'murmur3 of "iceberg"')
check(hashValue('decimal(9, 2)', '14.20') === -500754589, 'murmur3 of decimal 14.20')
check(hashValue('uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7') === 1488055340, 'murmur3 of a uuid')

function apply(transform, type, v) {
  if (v === null || v === undefined) return null
  const bucket = /^bucket\[(\d+)\]$/.exec(transform)
  if (bucket) return (hashValue(type, v) & 0x7fffffff) % Number(bucket[1])
  const trunc = /^truncate\[(\d+)\]$/.exec(transform)
  if (trunc) {
    const w = BigInt(trunc[1])
    if (type === 'string') return [...v].slice(0, Number(w)).join('')
    const x = BigInt(v)
    return x - (((x % w) + w) % w)
  }
  return undefined
}

const localPath = (p) => (p.startsWith('file:') ? fileURLToPath(p) : p)
const readAvro = async (file) => (await readAvroFile(localPath(file))).records

const md = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id'])
const spec = md['partition-specs'].find((s) => s['spec-id'] === md['default-spec-id'])
const snapshot = md.snapshots.find((s) => String(s['snapshot-id']) === String(md['current-snapshot-id']))
const fields = spec.fields.filter((f) => /^(bucket|truncate)\[/.test(f.transform))
let checked = 0
for (const manifest of await readAvro(snapshot['manifest-list'])) {
  for (const entry of await readAvro(manifest.manifest_path)) {
    if (Number(entry.status) === 2) continue
    const file = entry.data_file
    for (const f of fields) {
      const source = schema.fields.find((s) => s.id === f['source-id'])
      const rows = await sql(`SELECT DISTINCT "${source.name}"::VARCHAR AS v FROM ` +
                             `read_parquet(${lit(localPath(file.file_path))})`)
      for (const { v } of rows) {
        const want = apply(f.transform, source.type, v)
        const got = file.partition[f.name]
        check(String(want) === String(got),
              `${file.file_path}: ${f.name} is ${got}, ${f.transform} of ${JSON.stringify(v)} is ${want}`)
        checked++
      }
    }
  }
}
check(fields.length === 0 || checked > 0, 'no partition values checked')
finish({ fields: fields.map((f) => f.name), checked })
