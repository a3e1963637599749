// The bare baseline of a PULL sync, in a process of its own (as Hookyard's server is):
// the least code that does the job correctly without Hookyard. Pages fetched over HTTPS
// with undici, each record fingerprinted (sorted-key JSON + SHA-256) and upserted into
// better-sqlite3 (WAL) with an outbox row per write, one transaction per page; an
// unchanged record is skipped and writes nothing.
// Driven over IPC by pull-sync.bench.js: { sync: sourceKey } → { seconds, created, skipped }.
import crypto from 'node:crypto';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Agent, request } from 'undici';

const { dir, port, host, ca } = JSON.parse(process.argv[2]);
const db = new SQLite(path.join(dir, 'bare.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  create table if not exists entities (id integer primary key, source text not null, external_id text not null,
    data text not null, fingerprint text not null, version integer not null, unique (source, external_id));
  create table if not exists outbox (id integer primary key, entity_id integer not null, change text not null,
    payload text not null, done integer not null default 0);`);
const find = db.prepare('select id, fingerprint, version from entities where source = ? and external_id = ?');
const insert = db.prepare('insert into entities (source, external_id, data, fingerprint, version) values (?, ?, ?, ?, 1)');
const update = db.prepare('update entities set data = ?, fingerprint = ?, version = version + 1 where id = ?');
const outbox = db.prepare('insert into outbox (entity_id, change, payload) values (?, ?, ?)');

function canonical(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}
const fingerprint = (data) => crypto.createHash('sha256').update(canonical(data)).digest('hex');

const savePage = db.transaction((source, records, counts) => {
  for (const { externalId, data } of records) {
    const print = fingerprint(data);
    const found = find.get(source, externalId);
    if (found?.fingerprint === print) {
      counts.skipped++;
      continue;
    }
    const json = JSON.stringify(data);
    if (found) {
      update.run(json, print, found.id);
      outbox.run(found.id, 'update', json);
      counts.updated++;
    } else {
      const id = insert.run(source, externalId, json, print).lastInsertRowid;
      outbox.run(id, 'create', json);
      counts.created++;
    }
  }
});

const agent = new Agent({ connect: { ca, servername: host } });
async function sync(source) {
  const counts = { created: 0, updated: 0, skipped: 0 };
  const started = performance.now();
  for (let page = 1; page !== null; ) {
    const res = await request(`https://127.0.0.1:${port}/people?page=${page}`, { dispatcher: agent, headers: { host } });
    if (res.statusCode !== 200) throw new Error(`page ${page} answered ${res.statusCode}`);
    const body = await res.body.json();
    const records = body.people.map((p) => ({
      externalId: p.uid,
      data: { firstName: p.given, lastName: p.family, email: p.mail, internalEmployeeId: p.staffNo, startDate: p.start },
    }));
    savePage(source, records, counts);
    page = body.next;
  }
  return { seconds: (performance.now() - started) / 1000, ...counts };
}

process.on('message', (message) => {
  if (message.stop) {
    db.close();
    void agent.close().then(() => process.disconnect());
    return;
  }
  sync(message.sync).then(
    (result) => process.send({ result }),
    (err) => process.send({ error: String(err?.stack ?? err) }),
  );
});
process.send({ ready: true });
