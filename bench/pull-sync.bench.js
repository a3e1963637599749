// PULL sync throughput: a hook fetches 100 pages × 1,000 employees from a local HTTPS
// mock through the real sandbox and egress, and the engine saves them (runPull, as a
// job would). On SQLite, then on PostgreSQL when one answers: records/s of the first
// sync and of an unchanged re-sync, and the process's peak RSS.
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createSecretBox } from '../dist/domain/secret-box.js';
import { runPull } from '../dist/engine/pull.js';
import { JobQueue } from '../dist/jobs/index.js';
import { createSandbox } from '../dist/sandbox/index.js';
import { migrate, openStore } from '../dist/store/db.js';
import { insertExecution } from '../dist/store/executions.js';
import { insertHook } from '../dist/store/hooks.js';
import { insertIntegration } from '../dist/store/integrations.js';
import { insertOrganisation } from '../dist/store/organisations.js';
import { certificates, figure } from './lib.js';

const PAGES = Number(process.env.BENCH_PULL_PAGES ?? 100);
const PER_PAGE = 1000;
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

async function benchEngine(name, storeOptions, sandbox) {
  const store = openStore(storeOptions);
  try {
    await migrate(store);
    const deps = { store, sandbox, secretBox: createSecretBox('bench-master-key-0123456789abcdef0123'), queue: new JobQueue(store) };
    const org = await insertOrganisation(store.db, { slug: `bench-${name}` });
    const integration = await insertIntegration(store.db, org.id, { name: 'HR', sourceSystemKey: 'hr' });
    const hook = await insertHook(store.db, deps.secretBox, org.id, integration.id, {
      name: 'people', type: 'pull', entityType: 'employee', runtime: 'code', code: HOOK, remoteUrl: null, enabled: true, settings: {},
    });
    const sync = async () => {
      const executionId = await insertExecution(store.db, { orgId: org.id, hookId: hook.id, trigger: 'manual', status: 'running' });
      const started = performance.now();
      const outcome = await runPull(deps, { orgId: org.id, hookId: hook.id, executionId, trigger: 'manual', dryRun: false, attempt: 1 });
      const seconds = (performance.now() - started) / 1000;
      if (outcome.status !== 'completed') throw new Error(`${name} sync ${outcome.status}: ${JSON.stringify(outcome.error)}`);
      return { seconds, counts: outcome.counts };
    };
    const total = PAGES * PER_PAGE;
    const first = await sync();
    if (first.counts.created !== total) throw new Error(`first sync created ${first.counts.created}, expected ${total}`);
    figure(`pull_first_sync_${name}`, Math.round(total / first.seconds), 'records/s');
    const again = await sync();
    if (again.counts.skipped !== total) throw new Error(`re-sync skipped ${again.counts.skipped}, expected ${total}`);
    figure(`pull_unchanged_resync_${name}`, Math.round(total / again.seconds), 'records/s');
    figure(`pull_peak_rss_after_${name}`, Math.round(process.resourceUsage().maxRSS / 1024), 'MB');
  } finally {
    await store.close();
  }
}

async function postgresDatabase() {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const db = `hookyard_bench_${process.pid}`;
  await admin.query(`create database ${db}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${db}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      // pool.end() resolves before its sockets close; a forced drop meanwhile makes a closing
      // client throw an uncaught 57P01. Wait for them first (as test/helpers/stores.ts does).
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [db]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await c.query(`drop database if exists ${db} with (force)`);
      await c.end();
    },
  };
}

const { ca, key, cert } = await certificates(HOST);
const bodies = Array.from({ length: PAGES }, (_, i) => pageBody(i + 1));
const server = https.createServer({ key, cert }, (req, res) => {
  const page = Number(new URL(req.url, `https://${HOST}`).searchParams.get('page') ?? 1);
  res.setHeader('content-type', 'application/json');
  res.end(bodies[page - 1]);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const sandbox = createSandbox({
  egress: { allowPrivate: true, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.address().port }], ca },
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-pull-'));
try {
  await benchEngine('sqlite', { dataDir }, sandbox);
  const pgdb = await postgresDatabase();
  if (pgdb) {
    try {
      await benchEngine('postgres', { dataDir, databaseUrl: pgdb.url }, sandbox);
    } finally {
      await pgdb.drop();
    }
  } else {
    console.log(`# PostgreSQL does not answer at ${PG_URL}: skipped`);
  }
} finally {
  await sandbox.close();
  server.closeAllConnections();
  server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
