// Starting and stopping `floe serve` for interop tests: a temporary warehouse, port 0 (the
// server prints the port it bound), logs kept in a file for a look when a test fails.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { env } from '../lib/common.mjs'

// Starts `floe serve` with `args` (added after the warehouse, state and listen flags) and the
// extra environment `extraEnv`; resolves once it prints "listening on HOST:PORT". `warehouse`
// (default <dir>/warehouse) lets several servers share one.
export async function startServe(dir, { args = [], extraEnv = {}, warehouse = path.join(dir, 'warehouse') } = {}) {
  const stateDir = path.join(dir, 'state')
  const logPath = path.join(dir, 'serve.log')
  const log = fs.openSync(logPath, 'a')
  const proc = spawn(env.floe, ['serve', '--warehouse', warehouse, '--state-dir', stateDir,
    '--listen', '127.0.0.1:0', ...args], {
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', log],
  })
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
  const address = await new Promise((resolve, reject) => {
    let out = ''
    proc.stdout.on('data', (chunk) => {
      out += chunk
      const m = out.match(/listening on (\S+)/)
      if (m) resolve(m[1])
    })
    exited.then(({ code }) => reject(new Error(
      `floe serve exited ${code} before listening: ${fs.readFileSync(logPath, 'utf8')}`)))
  })
  return {
    proc, warehouse, stateDir, logPath, exited,
    url: `http://${address}`,
    // SIGTERM, then the exit status ({code, signal}).
    async stop() {
      proc.kill('SIGTERM')
      const r = await exited
      fs.closeSync(log)
      return r
    },
  }
}

// POSTs `body` (as application/json unless `headers` name a Content-Type; fetch would say
// text/plain) and returns {status, headers, json (or null), text}.
export async function post(url, body, headers = {}) {
  const typed = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')
  const res = await fetch(url, {
    method: 'POST', body, headers: typed ? headers : { 'Content-Type': 'application/json', ...headers },
  })
  const text = await res.text()
  let json = null
  try { json = JSON.parse(text) } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text }
}

export async function get(url, headers = {}) {
  const res = await fetch(url, { headers })
  const text = await res.text()
  let json = null
  try { json = JSON.parse(text) } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text }
}
