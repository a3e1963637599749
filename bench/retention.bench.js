// Retention on the embedded store: prunes 1,000,000 dispatched outbox events older than
// their age while a writer keeps making small writes, and prints the longest time one
// of those writes waited (the write stall), beside the same writer's figures without a
// prune. Deletes go in batches (engine/maintenance.ts), so no write waits for the whole prune.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanUp } from '../dist/engine/maintenance.js';
import { newId } from '../dist/domain/ids.js';
import { migrate, openStore } from '../dist/store/db.js';
import { insertOrganisation } from '../dist/store/organisations.js';
import { figure, quantile } from './lib.js';

const ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 1_000_000);
const DAY = 24 * 3600_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-retention-'));
const store = openStore({ dataDir: dir });
try {
  await migrate(store);
  const org = await insertOrganisation(store.db, { slug: 'bench' });
  const old = Date.now() - 400 * DAY;
  const started = performance.now();
  for (let i = 0; i < ROWS; i += 10_000) {
    await store.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(ROWS, i + 10_000); j += 500) {
        const rows = [];
        for (let k = j; k < Math.min(ROWS, i + 10_000, j + 500); k++) {
          rows.push({ id: newId(), org_id: org.id, entity_type: 'employee', entity_id: newId(), change_type: 'update', before: '{"firstName":"Ada"}', after: '{"firstName":"Grace"}', source: '{"kind":"pull"}', occurred_at: old + k, dispatched_at: old + k + 5 });
        }
        await trx.insertInto('events').values(rows).execute();
      }
    });
  }
  figure('retention seed rows', ROWS);
  figure('retention seed time', (performance.now() - started) / 1000, 's');

  /** Small writes one after another until `until` resolves; returns each one's latency in ms. */
  async function writer(until) {
    const latencies = [];
    let done = false;
    until.then(() => (done = true));
    let n = 0;
    while (!done) {
      const t0 = performance.now();
      await store.db
        .insertInto('events')
        .values({ id: newId(), org_id: org.id, entity_type: 'project', entity_id: newId(), change_type: 'create', before: null, after: '{}', source: '{"kind":"api"}', occurred_at: Date.now(), dispatched_at: null })
        .execute();
      latencies.push(performance.now() - t0);
      // One write a millisecond or so, like a busy API.
      if (++n % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return latencies;
  }

  const idle = await writer(new Promise((resolve) => setTimeout(resolve, 2000)));
  figure('retention write latency without prune p99', quantile(idle, 0.99), 'ms');
  figure('retention write latency without prune max', Math.max(...idle), 'ms');

  const pruneStart = performance.now();
  const prune = cleanUp({ store, retention: { eventDays: 90 } }, {}, Date.now());
  const during = await writer(prune);
  const removed = await prune;
  const seconds = (performance.now() - pruneStart) / 1000;
  figure('retention pruned events', removed.events);
  figure('retention prune time', seconds, 's');
  figure('retention prune rate', Math.round(removed.events / seconds), 'rows/s');
  figure('retention writes during prune', during.length);
  figure('retention write latency during prune p99', quantile(during, 0.99), 'ms');
  figure('retention longest write stall during prune', Math.max(...during), 'ms');
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
