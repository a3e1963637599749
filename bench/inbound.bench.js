// Inbound hooks on SQLite: a real `hookyard serve` and an inbound hook that reads the JSON
// body of a call and answers a computed response (an order's total: the job of a webhook →
// code → respond workflow), driven by autocannon from this process at 10 connections. Beside
// it, in the same repetition and with the same autocannon settings, the bare baseline of
// the same job (bare/inbound-service.js: node:http, parse, compute, answer). Every call that
// reached the hook must be an execution: they are counted in the database after the run.
// Run: npm run build && node --no-node-snapshot bench/inbound.bench.js
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import { startServer } from './hook-bench-server.js';
import { ORDER, HOOK_CODE, orderTotal } from './inbound-job.js';
import { childPids, compare, cpuMs, peakRssMb, quantile, repeat, slowdown, spread } from './lib.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_INBOUND_SECONDS ?? 5);
const CONNECTIONS = 10;
const ROUTE = '/inbound/default/orders/new';
const EXPECTED = JSON.stringify(orderTotal(JSON.parse(ORDER)));

/** The bare service in a process of its own; resolves with its url and a stop(). */
async function startBare() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./bare/inbound-service.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  for (let i = 0; i < 200 && !/listening \d+/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
  const port = /listening (\d+)/.exec(out)?.[1];
  if (!port) throw new Error(`the bare inbound service did not start: ${out}`);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

/** CPU time so far of `pid` and of each of its children, by pid. */
function cpuOfTree(pid) {
  return new Map([pid, ...childPids(pid)].map((p) => [p, cpuMs(p) ?? 0]));
}

/** CPU ms used between two {@link cpuOfTree} readings: `pid`'s own, and its children's together. */
function cpuUsed(pid, before, after) {
  let children = 0;
  for (const [p, ms] of after) if (p !== pid) children += ms - (before.get(p) ?? 0);
  return { own: after.get(pid) - before.get(pid), children };
}

/**
 * `seconds` of POSTs of ORDER to `url` at CONNECTIONS; resolves with req/s, p50 and p99 in
 * ms (each response's own time, to the microsecond: autocannon's histogram keeps whole ms),
 * and how many answers were 2xx and not.
 */
async function load(url, seconds, pid) {
  const times = [];
  const before = cpuOfTree(pid);
  const instance = autocannon({
    url: url + ROUTE,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: ORDER,
    connections: CONNECTIONS,
    duration: seconds,
  });
  instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
  const result = await instance;
  const cpu = cpuUsed(pid, before, cpuOfTree(pid));
  const calls = result.requests.total;
  return {
    cpuPerCall: cpu.own / calls,
    childCpuPerCall: cpu.children / calls,
    perSecond: result.requests.total / (result.duration || seconds),
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    ok: result['2xx'],
    notOk: result.non2xx + result.errors + result.timeouts,
  };
}

/** One call, to check that both sides give the same answer before they are timed. */
async function answerOf(url) {
  const res = await fetch(url + ROUTE, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ORDER });
  return `${res.status} ${await res.text()}`;
}

// The route's rate limits are for senders, not for a load test: raised out of the way.
const server = await startServer(undefined, { env: { HOOKYARD_INBOUND_RATE_PER_HOOK: '1000000', HOOKYARD_INBOUND_RATE_PER_ORG: '1000000' } });
const bare = await startBare();
const hy = [];
const base = [];
let hookId;
let reached = 0;
let refused = 0;
let rss;
try {
  const integration = await server.call('POST', '/v1/integrations', { name: 'Shop', sourceSystemKey: 'shop' });
  hookId = (await server.call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'orders', type: 'inbound', path: 'orders/new', code: HOOK_CODE })).id;
  for (const url of [server.url, bare.url]) {
    const answer = await answerOf(url);
    if (answer !== `200 ${EXPECTED}`) throw new Error(`${url} answered ${answer}, not 200 ${EXPECTED}`);
  }
  reached += 1;
  // Warm-up of both sides (JIT, isolate, statement caches), counted as the rest is.
  const warm = await load(server.url, 2, server.pid);
  reached += warm.ok;
  refused += warm.notOk;
  await load(bare.url, 2, bare.pid);
  await repeat(REPS, async () => {
    const h = await load(server.url, SECONDS, server.pid);
    reached += h.ok;
    refused += h.notOk;
    hy.push(h);
    base.push(await load(bare.url, SECONDS, bare.pid));
  });
  rss = { server: peakRssMb(server.pid), sandbox: Math.max(...childPids(server.pid).map(peakRssMb).filter((n) => n !== undefined)), bare: peakRssMb(bare.pid) };
} finally {
  await bare.stop();
  // Stopping the server writes the executions still queued.
  await server.stop({ keep: true });
}
const db = new SQLite(path.join(server.dataDir, 'hookyard.db'), { readonly: true });
const executions = db.prepare("select count(*) as n from executions where hook_id = ? and trigger = 'inbound'").get(hookId).n;
const completed = db.prepare("select count(*) as n from executions where hook_id = ? and status = 'completed'").get(hookId).n;
db.close();
fs.rmSync(server.cwd, { recursive: true, force: true });

const pick = (rows, k) => rows.map((r) => r[k]);
compare('inbound.sqlite.req_per_s', pick(hy, 'perSecond'), pick(base, 'perSecond'), 'req/s');
console.log(`inbound.sqlite.req_per_s.target >= 2000: ${quantile(pick(hy, 'perSecond'), 0.5) >= 2000 ? 'met' : 'MISSED'}`);
slowdown('inbound.sqlite.p50_ms', pick(hy, 'p50'), pick(base, 'p50'), 'ms');
console.log(`inbound.sqlite.p50_ms.target <= 5: ${quantile(pick(hy, 'p50'), 0.5) <= 5 ? 'met' : 'MISSED'}`);
slowdown('inbound.sqlite.p99_ms', pick(hy, 'p99'), pick(base, 'p99'), 'ms');
slowdown('inbound.sqlite.cpu_ms_per_call', pick(hy, 'cpuPerCall').map((ms, i) => ms + hy[i].childCpuPerCall), pick(base, 'cpuPerCall'), 'ms');
spread('inbound.sqlite.cpu_ms_per_call.server', pick(hy, 'cpuPerCall'), 'ms');
spread('inbound.sqlite.cpu_ms_per_call.sandbox_processes', pick(hy, 'childCpuPerCall'), 'ms');
spread('inbound.sqlite.peak_rss.server_mb', [rss.server], `MB (target <= 200: ${rss.server <= 200 ? 'met' : 'MISSED'})`);
spread('inbound.sqlite.peak_rss.sandbox_process_mb', [rss.sandbox], 'MB');
spread('inbound.sqlite.peak_rss.bare_mb', [rss.bare], 'MB');
// autocannon stops a run with up to CONNECTIONS calls in flight: the server answers (and
// records) them, but they are not counted as answered here.
const cut = CONNECTIONS * (REPS + 1);
const everyOne = refused === 0 && completed === executions && executions >= reached && executions <= reached + cut;
console.log(`inbound.sqlite.executions ${executions} recorded (${completed} completed); ${reached} calls answered 2xx (+ up to ${cut} cut off in flight at the ends of the runs), ${refused} not: ${everyOne ? 'every call recorded' : 'MISMATCH'}`);
