// PUSH end to end: a real `hookyard serve`, a PUSH hook that makes one HTTPS POST to a
// local receiver, entity creates through the API from this process (32 connections).
// Beside it, in the same run, the bare baseline of the same job (bare/push-service.js, a
// process of its own): a node:http service writing the entity and its outbox row in one
// transaction, and a dispatcher POSTing each event to the same receiver.
// - throughput: events/s from the first API write to the last event done (Hookyard: the
//   last completed execution), writing as fast as 32 connections allow;
// - latency: from the event's commit to the start of its delivery, at a steady 100 writes/s.
// Each repetition runs Hookyard and the baseline back to back. Then the same throughput on
// PostgreSQL (a database of its own), compared with SQLite's of this run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { openStore } from '../dist/store/db.js';
import { RECEIVER_HOST, startReceiver, startServer } from './hook-bench-server.js';
import { compare, cpuMs, postgresDatabase, quantile, repeat, spread } from './lib.js';

const COUNT = Number(process.env.BENCH_PUSH_EVENTS ?? 3000);
const PACED = Number(process.env.BENCH_PUSH_PACED ?? 300);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const CONCURRENCY = 32;
const PG_URL = process.env.HOOKYARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** BENCH_ENGINES=postgres (or sqlite) runs one engine only, for profiling. */
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');

const HOOK = `async function run(ctx) {
  const res = await ctx.http.post('https://${RECEIVER_HOST}/events', { id: ctx.event.id, type: ctx.event.changeType });
  if (res.status !== 200) throw new Error('receiver answered ' + res.status);
}`;

let received = 0;
const receiver = await startReceiver(() => received++);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Creates employees through `url`'s API: `count` as fast as 32 connections go, or one per `everyMs`. */
function writer(url, key) {
  const pool = new Pool(url, { connections: CONCURRENCY });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const create = async (i) => {
    const res = await pool.request({ method: 'POST', path: '/v1/entities/employee', headers, body: JSON.stringify({ firstName: `F${i}`, lastName: `L${i}`, email: `p${i}@example.test` }) });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`create answered ${res.statusCode}: ${text}`);
  };
  return {
    async flood(count, tag) {
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await create(`${tag}${next++}`);
      }));
    },
    async paced(count, everyMs, tag) {
      const started = performance.now();
      const writes = [];
      for (let i = 0; i < count; i++) {
        const wait = started + i * everyMs - performance.now();
        if (wait > 0) await sleep(wait);
        writes.push(create(`${tag}${i}`));
      }
      await Promise.all(writes);
    },
    close: () => pool.close(),
  };
}

/** Hookyard on one store: the throughput and latency of a repetition, read from its executions. */
async function hookyardSide(server, storeOptions) {
  const store = openStore(storeOptions);
  const integration = await server.call('POST', '/v1/integrations', { name: 'Bench', sourceSystemKey: 'bench' });
  await server.call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'receiver', type: 'push', entityType: 'employee', code: HOOK });
  const write = writer(server.url, server.key);
  const completedSince = async (since) => {
    const row = await store.db
      .selectFrom('executions')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('finished_at').as('last')])
      .where('status', '=', 'completed')
      .where('created_at', '>=', since)
      .executeTakeFirst();
    return { n: Number(row.n), last: Number(row.last) };
  };
  const waitForRuns = async (since, count) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const done = await completedSince(since);
      if (done.n >= count) return done;
      if (Date.now() > deadline) throw new Error(`only ${done.n} of ${count} runs completed`);
      await sleep(50);
    }
  };
  // Warm-up: sandbox processes, isolates, TLS sessions, statement caches.
  const w = Date.now();
  await write.flood(50, 'w');
  await waitForRuns(w, 50);
  return {
    async throughput(rep) {
      const t0 = Date.now();
      const cpu0 = server.cpuMs();
      const tree0 = server.treeCpuMs();
      await write.flood(COUNT, `t${rep}-`);
      const done = await waitForRuns(t0, COUNT);
      const cpu = server.cpuMs();
      const tree = server.treeCpuMs();
      return {
        perSecond: COUNT / ((done.last - t0) / 1000),
        cpuPerEvent: cpu === undefined ? undefined : (cpu - cpu0) / COUNT,
        treeCpuPerEvent: tree === undefined ? undefined : (tree - tree0) / COUNT,
      };
    },
    async latency(rep) {
      const t0 = Date.now();
      await write.paced(PACED, 10, `p${rep}-`);
      await waitForRuns(t0, PACED);
      const rows = await store.db.selectFrom('executions').select(['started_at', 'input']).where('created_at', '>=', t0).where('trigger', '=', 'event').execute();
      return rows.map((r) => Number(r.started_at) - Date.parse(JSON.parse(r.input).event.occurredAt));
    },
    async close() {
      await write.close();
      await store.close();
    },
  };
}

/** The bare service and its dispatcher, in a process of its own. */
async function bareSide() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-bare-'));
  const entry = fileURLToPath(new URL('./bare/push-service.js', import.meta.url));
  const child = spawn(process.execPath, [entry, JSON.stringify({ dir, port: receiver.port, host: RECEIVER_HOST, ca: receiver.ca })], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  for (let i = 0; i < 200 && !/listening \d+/.test(out); i++) await sleep(25);
  const port = /listening (\d+)/.exec(out)?.[1];
  if (!port) throw new Error(`the bare PUSH service did not start: ${out}`);
  const write = writer(`http://127.0.0.1:${port}`, 'none');
  const ask = (message) => new Promise((resolve) => (child.once('message', resolve), child.send(message)));
  const waitFor = async (since, count) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const stats = await ask({ stats: since });
      if (stats.done >= count) return stats;
      if (Date.now() > deadline) throw new Error(`bare: only ${stats.done} of ${count} events done`);
      await sleep(50);
    }
  };
  await write.flood(50, 'w');
  return {
    async throughput(rep) {
      await sleep(200);
      const t0 = Date.now();
      const cpu0 = cpuMs(child.pid);
      await write.flood(COUNT, `t${rep}-`);
      const done = await waitFor(t0, COUNT);
      const cpu = cpuMs(child.pid);
      return { perSecond: COUNT / ((done.last - t0) / 1000), cpuPerEvent: cpu === undefined ? undefined : (cpu - cpu0) / COUNT };
    },
    async latency(rep) {
      const t0 = Date.now();
      await write.paced(PACED, 10, `p${rep}-`);
      await waitFor(t0, PACED);
      return (await ask({ stats: t0, latencies: true })).latencies;
    },
    async close() {
      await write.close();
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ stop: true });
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sqlite = { events: [], cpu: [], treeCpu: [], bareCpu: [], bareEvents: [], p50: [], p99: [], bareP50: [], bareP99: [] };
async function sqliteRuns() {
  const server = await startServer(receiver);
  const bare = await bareSide();
  try {
    const hy = await hookyardSide(server, { dataDir: server.dataDir });
    try {
      await repeat(REPS, async (rep) => {
        const h = await hy.throughput(rep);
        sqlite.events.push(h.perSecond);
        if (h.cpuPerEvent !== undefined) sqlite.cpu.push(h.cpuPerEvent);
        if (h.treeCpuPerEvent !== undefined) sqlite.treeCpu.push(h.treeCpuPerEvent);
        const b = await bare.throughput(rep);
        sqlite.bareEvents.push(b.perSecond);
        if (b.cpuPerEvent !== undefined) sqlite.bareCpu.push(b.cpuPerEvent);
      });
      await repeat(REPS, async (rep) => {
        const h = await hy.latency(rep);
        sqlite.p50.push(quantile(h, 0.5));
        sqlite.p99.push(quantile(h, 0.99));
        const b = await bare.latency(rep);
        sqlite.bareP50.push(quantile(b, 0.5));
        sqlite.bareP99.push(quantile(b, 0.99));
      });
    } finally {
      await hy.close();
    }
  } finally {
    await bare.close();
    await server.stop();
  }
  compare('push.sqlite.events_per_s', sqlite.events, sqlite.bareEvents, 'events/s', { target: 0.6 });
  if (sqlite.cpu.length > 0) spread('push.sqlite.server_cpu_ms_per_event', sqlite.cpu, 'ms');
  // All of Hookyard's CPU (the server and its sandbox processes) against the bare service's:
  // on a machine whose cores are all busy, throughput follows this more than anything.
  if (sqlite.treeCpu.length > 0 && sqlite.bareCpu.length > 0) {
    spread('push.sqlite.cpu_ms_per_event.hookyard', sqlite.treeCpu, 'ms');
    spread('push.sqlite.cpu_ms_per_event.bare', sqlite.bareCpu, 'ms');
  }
  spread('push.sqlite.commit_to_start.median_ms.hookyard', sqlite.p50, 'ms');
  spread('push.sqlite.commit_to_start.median_ms.bare', sqlite.bareP50, 'ms');
  spread('push.sqlite.commit_to_start.p99_ms.hookyard', sqlite.p99, 'ms');
  spread('push.sqlite.commit_to_start.p99_ms.bare', sqlite.bareP99, 'ms');
  if (received < 2 * REPS * (COUNT + PACED)) throw new Error(`the receiver got ${received} posts, expected at least ${2 * REPS * (COUNT + PACED)}`);
}

async function postgresRuns() {
  const pgdb = await postgresDatabase(PG_URL);
  if (!pgdb) {
    console.log(`# PostgreSQL does not answer at ${PG_URL}: skipped`);
  } else {
    try {
      const pgServer = await startServer(receiver, { databaseUrl: pgdb.url });
      const events = [];
      try {
        const hy = await hookyardSide(pgServer, { dataDir: pgServer.dataDir, databaseUrl: pgdb.url });
        try {
          await repeat(REPS, async (rep) => events.push((await hy.throughput(rep)).perSecond));
        } finally {
          await hy.close();
        }
      } finally {
        await pgServer.stop();
      }
      if (sqlite.events.length > 0) compare('push.postgres_vs_sqlite.events_per_s', events, sqlite.events, 'events/s', { target: 0.5, labels: ['postgres', 'sqlite'] });
      else spread('push.postgres.events_per_s', events, 'events/s');
    } finally {
      await pgdb.drop();
    }
  }
}

try {
  if (ENGINES.includes('sqlite')) await sqliteRuns();
  if (ENGINES.includes('postgres')) await postgresRuns();
} finally {
  await receiver.close();
}
