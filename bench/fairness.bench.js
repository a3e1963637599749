// Fairness between organisations on one `hookyard serve` (SQLite): how long a calm
// organisation's entity reads take while another organisation floods the sandbox with
// endless-loop dry runs, beside the same reads with the server idle (the baseline of
// the same run). The flood's runs past its bound are answered 429.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { figure, quantile } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/hookyard.js');
const READS = Number(process.env.BENCH_FAIRNESS_READS ?? 200);
const FLOOD = Number(process.env.BENCH_FAIRNESS_FLOOD ?? 50);

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-fairness-'));
const env = { ...process.env, HOOKYARD_LOG_LEVEL: 'silent', HOOKYARD_DATABASE_URL: '' };
const orgKey = (slug) => {
  const out = spawnSync(process.execPath, ['--no-node-snapshot', BIN, 'orgs', 'create', slug], { cwd, env, encoding: 'utf8' });
  const key = /(hyk_\S+)/.exec(out.stdout)?.[1];
  if (!key) throw new Error(`orgs create ${slug} failed:\n${out.stdout}${out.stderr}`);
  return key;
};
const hostileKey = orgKey('hostile');
const calmKey = orgKey('calm');

const child = spawn(process.execPath, ['--no-node-snapshot', BIN, 'serve', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
process.once('exit', () => child.kill('SIGKILL'));
let out = '';
child.stdout.on('data', (c) => (out += c));
for (let i = 0; i < 400 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
if (!url) throw new Error(`server did not start:\n${out}`);
const pool = new Pool(url, { connections: FLOOD + 8 });

async function call(key, method, p, body) {
  const res = await pool.request({ method, path: p, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

for (let i = 0; i < 200; i++) await call(calmKey, 'POST', '/v1/entities/employee', { firstName: `F${i}`, lastName: `L${i}`, email: `p${i}@calm.test` });
const integration = (await call(hostileKey, 'POST', '/v1/integrations', { name: 'Spin', sourceSystemKey: 'spin' })).json;
const hook = (await call(hostileKey, 'POST', `/v1/integrations/${integration.id}/hooks`, { name: 'spin', type: 'push', entityType: 'employee', code: 'async function run() { for (;;) {} }' })).json;

async function reads() {
  const times = [];
  for (let i = 0; i < READS; i++) {
    const started = performance.now();
    const res = await call(calmKey, 'GET', '/v1/entities/employee?limit=50');
    if (res.status !== 200) throw new Error(`read answered ${res.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

await reads(); // warm-up
const idle = await reads();

let flooding = true;
let refused = 0;
let ran = 0;
const flooder = async () => {
  while (flooding) {
    const res = await call(hostileKey, 'POST', `/v1/hooks/${hook.id}/test`, {});
    if (res.status === 429) {
      refused++;
      await new Promise((r) => setTimeout(r, 100));
    } else ran++;
  }
};
const flooders = Array.from({ length: FLOOD }, flooder);
await new Promise((r) => setTimeout(r, 2_000)); // let the flood fill the sandbox
const flooded = await reads();
flooding = false;
await Promise.all(flooders);

const ms = (times, q) => Math.round(quantile(times, q) * 100) / 100;
figure('fairness: calm organisation read, server idle (baseline), median', ms(idle, 0.5), 'ms');
figure('fairness: calm organisation read, server idle (baseline), p99', ms(idle, 0.99), 'ms');
figure('fairness: the same read while another organisation floods the sandbox, median', ms(flooded, 0.5), 'ms');
figure('fairness: the same read while another organisation floods the sandbox, p99', ms(flooded, 0.99), 'ms');
figure('fairness: p99 under the flood / p99 idle', Math.round((quantile(flooded, 0.99) / quantile(idle, 0.99)) * 100) / 100, 'x');
figure('fairness: flood dry runs that ran', ran);
figure('fairness: flood dry runs refused with 429', refused);

await pool.close();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
fs.rmSync(cwd, { recursive: true, force: true });
