// PULL sync through a real `hookyard serve`, as a user starts it: `POST /v1/hooks/{id}/run`,
// then the execution polled until it ends. The hook fetches 100 pages × 1,000 employees
// (100,000 records) from a local HTTPS mock in this process, through the sandbox processes
// and the egress policy. Beside it, in the same run, the bare baseline of the same job
// (bare/pull-sync.js, a process of its own). Each repetition is a new integration (a new
// sourceSystemKey, so a first sync creates 100,000 entities) synced twice: first sync, then
// an unchanged re-sync; Hookyard and the baseline alternate. SQLite, then PostgreSQL (a
// database of its own) when one answers; PostgreSQL is compared with SQLite's figures.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiver, startServer } from './hook-bench-server.js';
import { compare, cpuMs, figure, postgresDatabase, repeat, slowdown, spread } from './lib.js';

const PAGES = Number(process.env.BENCH_PULL_PAGES ?? 100);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const PER_PAGE = 1000;
const TOTAL = PAGES * PER_PAGE;
const HOST = 'hr.bench.test';
const PG_URL = process.env.HOOKYARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function pageBody(page) {
  const people = [];
  for (let i = 0; i < PER_PAGE; i++) {
    const n = (page - 1) * PER_PAGE + i + 1;
    people.push({ uid: `E-${n}`, given: `Given${n}`, family: `Family${n}`, mail: `person${n}@hr.bench.test`, staffNo: `S${n}`, start: '2024-01-15' });
  }
  return JSON.stringify({ people, next: page < PAGES ? page + 1 : null });
}

const HOOK = `async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://${HOST}/people', { query: { page: String(page) } });
  if (res.status !== 200) throw new Error('HR API answered ' + res.status);
  return {
    records: res.body.people.map((p) => ({ externalId: p.uid,
      data: { firstName: p.given, lastName: p.family, email: p.mail, internalEmployeeId: p.staffNo, startDate: p.start } })),
    more: res.body.next !== null,
    meta: { page: res.body.next },
  };
}`;

const bodies = Array.from({ length: PAGES }, (_, i) => pageBody(i + 1));
const mock = await startReceiver(undefined, {
  host: HOST,
  handler: (req) => ({ body: bodies[Number(new URL(req.url, `https://${HOST}`).searchParams.get('page') ?? 1) - 1] }),
});

/** The bare baseline's process: `sync(sourceKey)` resolves with { seconds, created, skipped }. */
async function startBare() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-bare-'));
  const entry = fileURLToPath(new URL('./bare/pull-sync.js', import.meta.url));
  const child = fork(entry, [JSON.stringify({ dir, port: mock.port, host: HOST, ca: mock.ca })], { stdio: 'inherit' });
  let waiting;
  child.on('message', (m) => waiting?.(m));
  const next = () => new Promise((resolve) => (waiting = resolve));
  await next();
  return {
    async sync(source) {
      const cpu0 = cpuMs(child.pid);
      child.send({ sync: source });
      const m = await next();
      if (m.error) throw new Error(m.error);
      return { ...m.result, cpuMs: cpuMs(child.pid) - cpu0 };
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ stop: true });
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One sync started through the API; seconds from the POST to the server's finishedAt, and
 * the CPU time of the server and of its sandbox processes meanwhile.
 */
async function apiSync(server, hookId) {
  const started = Date.now();
  const cpu0 = server.cpuMs();
  const tree0 = server.treeCpuMs();
  const { executionId } = await server.call('POST', `/v1/hooks/${hookId}/run`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const execution = await server.call('GET', `/v1/executions/${executionId}`);
    if (execution.status === 'queued' || execution.status === 'running') continue;
    if (execution.status !== 'completed') throw new Error(`sync ${execution.status}: ${JSON.stringify(execution.error)}`);
    return { seconds: (Date.parse(execution.finishedAt) - started) / 1000, counts: execution.counts, serverCpuMs: server.cpuMs() - cpu0, cpuMs: server.treeCpuMs() - tree0 };
  }
}

/** Repetitions of (first sync, unchanged re-sync) on one server, alternating with the bare baseline. */
async function measure(name, server, bare) {
  const figures = { first: [], resync: [], bareFirst: [], bareResync: [], firstCpu: [], firstServerCpu: [], bareFirstCpu: [], resyncCpu: [], resyncServerCpu: [], bareResyncCpu: [] };
  await repeat(REPS, async (rep) => {
    const integration = await server.call('POST', '/v1/integrations', { name: `HR ${rep}`, sourceSystemKey: `hr${rep}` });
    const hook = await server.call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'people', type: 'pull', entityType: 'employee', code: HOOK });
    if (bare) {
      const b = await bare.sync(`hr${rep}`);
      if (b.created !== TOTAL) throw new Error(`bare first sync created ${b.created}`);
      figures.bareFirst.push(TOTAL / b.seconds);
      figures.bareFirstCpu.push((1000 * b.cpuMs) / TOTAL);
    }
    const first = await apiSync(server, hook.id);
    if (first.counts.created !== TOTAL) throw new Error(`${name} first sync created ${first.counts.created}, expected ${TOTAL}`);
    figures.first.push(TOTAL / first.seconds);
    figures.firstCpu.push((1000 * first.cpuMs) / TOTAL);
    figures.firstServerCpu.push((1000 * first.serverCpuMs) / TOTAL);
    if (bare) {
      const b = await bare.sync(`hr${rep}`);
      if (b.skipped !== TOTAL) throw new Error(`bare re-sync skipped ${b.skipped}`);
      figures.bareResync.push(TOTAL / b.seconds);
      figures.bareResyncCpu.push((1000 * b.cpuMs) / TOTAL);
    }
    const again = await apiSync(server, hook.id);
    if (again.counts.skipped !== TOTAL) throw new Error(`${name} re-sync skipped ${again.counts.skipped}, expected ${TOTAL}`);
    figures.resync.push(TOTAL / again.seconds);
    figures.resyncCpu.push((1000 * again.cpuMs) / TOTAL);
    figures.resyncServerCpu.push((1000 * again.serverCpuMs) / TOTAL);
  });
  return figures;
}

function reportRss(name, server) {
  const rss = server.peakRss();
  if (rss.server !== undefined) {
    figure(`pull.${name}.peak_rss.server_mb`, rss.server, `MB${name === 'sqlite' ? ' (target <= 300)' : ''}`);
    figure(`pull.${name}.peak_rss.sandbox_process_mb`, Math.max(...rss.sandbox), 'MB');
  }
}

try {
  const bare = await startBare();
  const sqliteServer = await startServer(mock);
  let sqlite;
  try {
    sqlite = await measure('sqlite', sqliteServer, bare);
    compare('pull.sqlite.first_sync', sqlite.first, sqlite.bareFirst, 'records/s', { target: 0.7 });
    compare('pull.sqlite.unchanged_resync', sqlite.resync, sqlite.bareResync, 'records/s', { target: 0.8 });
    // CPU per record moves less with the machine's load than records/s: the figure to compare builds by.
    slowdown('pull.sqlite.first_sync.cpu_us_per_record', sqlite.firstCpu, sqlite.bareFirstCpu, 'µs');
    spread('pull.sqlite.first_sync.server_cpu_us_per_record', sqlite.firstServerCpu, 'µs');
    slowdown('pull.sqlite.unchanged_resync.cpu_us_per_record', sqlite.resyncCpu, sqlite.bareResyncCpu, 'µs');
    spread('pull.sqlite.unchanged_resync.server_cpu_us_per_record', sqlite.resyncServerCpu, 'µs');
    reportRss('sqlite', sqliteServer);
  } finally {
    await sqliteServer.stop();
    await bare.stop();
  }

  const pgdb = process.env.BENCH_SKIP_PG ? undefined : await postgresDatabase(PG_URL);
  if (!pgdb) {
    console.log(process.env.BENCH_SKIP_PG ? '# PostgreSQL skipped (BENCH_SKIP_PG)' : `# PostgreSQL does not answer at ${PG_URL}: skipped`);
  } else {
    try {
      const pgServer = await startServer(mock, { databaseUrl: pgdb.url });
      try {
        const pg = await measure('postgres', pgServer);
        compare('pull.postgres_vs_sqlite.first_sync', pg.first, sqlite.first, 'records/s', { target: 0.5, labels: ['postgres', 'sqlite'] });
        spread('pull.postgres.unchanged_resync', pg.resync, 'records/s');
        reportRss('postgres', pgServer);
      } finally {
        await pgServer.stop();
      }
    } finally {
      await pgdb.drop();
    }
  }
} finally {
  await mock.close();
}
