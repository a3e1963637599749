// Shared by the benchmarks that drive a real `hookyard serve`: the server in a temporary
// folder (SQLite, or a PostgreSQL URL), with egress pointed at a local HTTPS server in the
// bench process (a throwaway CA, loopback only, allowed through the explicit test settings),
// and a small JSON client for its API.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { certificates, childPids, cpuMs, peakRssMb, treeCpuMs } from './lib.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RECEIVER_HOST = 'receiver.example.test';
const BIN = path.join(ROOT, 'bin/hookyard.js');

/**
 * An HTTPS server on 127.0.0.1 for `host` (default RECEIVER_HOST). `handler(req, body)`
 * answers with `{ status?, body }`; without one, every request gets 200 `{}`.
 */
export async function startReceiver(onRequest = () => {}, { host = RECEIVER_HOST, handler } = {}) {
  const { ca, key, cert } = await certificates(host);
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      onRequest(body);
      const answer = handler ? handler(req, body) : { body: '{}' };
      res.statusCode = answer.status ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(answer.body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ca, host, port: server.address().port, close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))) };
}

/** Runs a `hookyard` command to its end in `cwd`; resolves with its stdout. */
export function hookyard(cwd, args, env = {}) {
  const result = spawnSync(process.execPath, ['--no-node-snapshot', BIN, ...args], { cwd, env: { ...process.env, HOOKYARD_DATABASE_URL: '', ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`hookyard ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/**
 * Starts `hookyard serve` in `cwd` (default a new folder), on SQLite or on `databaseUrl`;
 * resolves with its url, the first admin key (when this start created it), its pid and
 * a JSON client. Without a receiver, hooks get the default egress policy. BENCH_SERVER_PROF
 * set to a folder writes a CPU profile of the server there.
 */
export async function startServer(receiver, { env: extraEnv = {}, cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-')), databaseUrl = '' } = {}) {
  const caFile = path.join(cwd, 'ca.pem');
  fs.writeFileSync(caFile, receiver?.ca ?? '');
  const prof = process.env.BENCH_SERVER_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_SERVER_PROF] : [];
  const child = spawn(process.execPath, [...prof, '--no-node-snapshot', BIN, 'serve', '--port', '0'], {
    cwd,
    env: {
      ...process.env,
      HOOKYARD_LOG_LEVEL: 'silent',
      HOOKYARD_DATABASE_URL: databaseUrl,
      // PostgreSQL needs one master key for every node; the embedded store makes its own.
      ...(databaseUrl && { HOOKYARD_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }),
      ...(receiver && {
        HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
        HOOKYARD_EGRESS_CA_FILE: caFile,
        HOOKYARD_EGRESS_CONNECT_TO: `${receiver.host ?? RECEIVER_HOST}:443:127.0.0.1:${receiver.port}`,
      }),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  for (let i = 0; i < 400 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  const key = /Admin API key[^:]*: (hyk_\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`server did not start:\n${out}`);
  const pool = new Pool(url, { connections: 32 });
  return {
    url,
    key,
    pid: child.pid,
    cwd,
    dataDir: path.join(cwd, 'data'),
    /** A JSON call with `key` (default the first admin key); throws on a status of 300 or more. */
    async call(method, route, body, callKey = key) {
      const res = await pool.request({
        method,
        path: route,
        headers: { authorization: `Bearer ${callKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${method} ${route} answered ${res.statusCode}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    /** CPU time (user + system) the server has used so far, in ms; Linux only, else undefined. */
    cpuMs: () => cpuMs(child.pid),
    /** The same for the server and its sandbox processes together (those that ended included). */
    treeCpuMs: () => treeCpuMs(child.pid),
    /** Peak RSS in MB of the server and of its sandbox processes now living. */
    peakRss: () => ({ server: peakRssMb(child.pid), sandbox: childPids(child.pid).map(peakRssMb).filter((n) => n !== undefined) }),
    async stop({ keep = false } = {}) {
      await pool.close();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      if (!keep) fs.rmSync(cwd, { recursive: true, force: true });
    },
  };
}
