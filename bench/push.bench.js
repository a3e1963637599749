// PUSH on SQLite: a real `hookyard serve`, a PUSH hook that makes one HTTPS POST to a
// local receiver, entity creates through the API from this process.
// - throughput: events/s from the first API write to the last completed run, writing
//   as fast as 32 connections allow;
// - latency: from the event's commit to its hook's start (execution started_at minus the
//   event's occurredAt, both on the server's clock), at a steady 100 writes/s.
import { Pool } from 'undici';
import { openStore } from '../dist/store/db.js';
import { RECEIVER_HOST, startReceiver, startServer } from './hook-bench-server.js';
import { figure, quantile } from './lib.js';

const COUNT = Number(process.env.BENCH_PUSH_EVENTS ?? 3000);
const PACED = Number(process.env.BENCH_PUSH_PACED ?? 500);
const CONCURRENCY = 32;

const HOOK = `async function run(ctx) {
  const res = await ctx.http.post('https://${RECEIVER_HOST}/events', { id: ctx.event.id, type: ctx.event.changeType });
  if (res.status !== 200) throw new Error('receiver answered ' + res.status);
}`;

let received = 0;
const receiver = await startReceiver(() => received++);
const server = await startServer(receiver);
const pool = new Pool(server.url, { connections: CONCURRENCY });
const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };
const store = openStore({ dataDir: server.dataDir });

async function call(method, path, body) {
  const res = await pool.request({ method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text}`);
  return JSON.parse(text);
}

const create = (i) => call('POST', '/v1/entities/employee', { firstName: `F${i}`, lastName: `L${i}`, email: `p${i}@example.test` });

async function completedSince(since) {
  const row = await store.db
    .selectFrom('executions')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('finished_at').as('last')])
    .where('status', '=', 'completed')
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return { n: Number(row.n), last: Number(row.last) };
}

async function waitForRuns(since, count, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await completedSince(since);
    if (done.n >= count) return done;
    if (Date.now() > deadline) throw new Error(`only ${done.n} of ${count} runs completed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

try {
  const integration = await call('POST', '/v1/integrations', { name: 'Bench', sourceSystemKey: 'bench' });
  await call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'receiver', type: 'push', entityType: 'employee', code: HOOK });
  // Warm-up: isolates, TLS sessions, statement caches.
  let t0 = Date.now();
  await Promise.all(Array.from({ length: 50 }, (_, i) => create(`w${i}`)));
  await waitForRuns(t0, 50);

  t0 = Date.now();
  const cpu0 = server.cpuMs();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < COUNT) await create(next++);
  }));
  const writesDone = Date.now();
  const done = await waitForRuns(t0, COUNT);
  const cpu = server.cpuMs();
  figure('push.sqlite.api_writes_per_s', COUNT / ((writesDone - t0) / 1000));
  figure('push.sqlite.events_per_s', COUNT / ((done.last - t0) / 1000));
  // The server's CPU per event (API write, dispatch, delivery): steadier than events/s on a shared machine.
  if (cpu !== undefined) figure('push.sqlite.server_cpu_ms_per_event', (cpu - cpu0) / COUNT);
  if (received < COUNT) throw new Error(`the receiver got ${received} of ${COUNT} posts`);

  // Commit-to-start latency at a steady rate well under the throughput.
  t0 = Date.now();
  const started = performance.now();
  for (let i = 0; i < PACED; i++) {
    const due = started + i * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    void create(`p${i}`);
  }
  await waitForRuns(t0, PACED);
  const rows = await store.db.selectFrom('executions').select(['started_at', 'input']).where('created_at', '>=', t0).where('trigger', '=', 'event').execute();
  const latencies = rows.map((r) => r.started_at - Date.parse(JSON.parse(r.input).event.occurredAt));
  figure('push.sqlite.commit_to_start.median_ms', quantile(latencies, 0.5));
  figure('push.sqlite.commit_to_start.p99_ms', quantile(latencies, 0.99));
} finally {
  await pool.close();
  await store.close();
  await server.stop();
  await receiver.close();
}
