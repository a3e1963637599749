// Shared by the PUSH and API-hook benchmarks: a real `hookyard serve` on SQLite in a
// temporary folder, with egress pointed at a local HTTPS receiver in this process
// (a throwaway CA, loopback only, allowed through the explicit test settings).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificates } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RECEIVER_HOST = 'receiver.example.test';

/** An HTTPS receiver on 127.0.0.1 that answers 200 and calls `onRequest(body)`. */
export async function startReceiver(onRequest) {
  const { ca, key, cert } = await certificates(RECEIVER_HOST);
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      onRequest(Buffer.concat(chunks).toString('utf8'));
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ca, port: server.address().port, close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))) };
}

/**
 * Starts `hookyard serve` on SQLite in a new folder; resolves with its url, admin key and
 * data folder. Without a receiver, hooks get the default egress policy.
 */
export async function startServer(receiver, extraEnv = {}) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-'));
  const caFile = path.join(cwd, 'ca.pem');
  fs.writeFileSync(caFile, receiver?.ca ?? '');
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_SERVER_PROF] : []), '--no-node-snapshot', path.join(ROOT, 'bin/hookyard.js'), 'serve', '--port', '0'], {
    cwd,
    env: {
      ...process.env,
      HOOKYARD_LOG_LEVEL: 'silent',
      HOOKYARD_DATABASE_URL: '',
      ...(receiver && {
        HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
        HOOKYARD_EGRESS_CA_FILE: caFile,
        HOOKYARD_EGRESS_CONNECT_TO: `${RECEIVER_HOST}:443:127.0.0.1:${receiver.port}`,
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
  if (!url || !key) throw new Error(`server did not start:\n${out}`);
  return {
    url,
    key,
    dataDir: path.join(cwd, 'data'),
    /** CPU time (user + system) the server has used so far, in ms; Linux only, else undefined. */
    cpuMs() {
      try {
        const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
      } catch {
        return undefined;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(cwd, { recursive: true, force: true });
    },
  };
}
