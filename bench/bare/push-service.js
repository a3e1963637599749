// The bare baseline of PUSH, in a process of its own (as Hookyard's server is): the least
// code that does the job correctly without Hookyard. A node:http service whose
// `POST /v1/entities/employee` writes the entity and its outbox row in one better-sqlite3
// (WAL) transaction, and a dispatcher, woken by each commit, that POSTs every pending event
// over HTTPS to the receiver (up to 32 at once) and marks it done.
// Started by push.bench.js with { dir, port, host, ca }; prints `listening <port>`, and
// answers IPC `{ stats: since }` with { done, last, latencies } of the events committed since.
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Pool } from 'undici';

const IN_FLIGHT = 32;
const { dir, port, host, ca } = JSON.parse(process.argv[2]);
const db = new SQLite(path.join(dir, 'bare.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  create table entities (id text primary key, type text not null, data text not null, version integer not null, created_at integer not null);
  create table outbox (seq integer primary key, entity_id text not null, change text not null, payload text not null,
    committed_at integer not null, started_at integer, done_at integer);
  create index outbox_pending on outbox (done_at, seq);`);
const insertEntity = db.prepare('insert into entities (id, type, data, version, created_at) values (?, ?, ?, 1, ?)');
const insertEvent = db.prepare('insert into outbox (entity_id, change, payload, committed_at) values (?, ?, ?, ?)');
const pending = db.prepare('select seq, entity_id, change from outbox where done_at is null and seq > ? order by seq limit ?');
const markDone = db.prepare('update outbox set started_at = ?, done_at = ? where seq = ?');
const create = db.transaction((data) => {
  const id = crypto.randomUUID();
  const now = Date.now();
  insertEntity.run(id, 'employee', JSON.stringify(data), now);
  insertEvent.run(id, 'create', JSON.stringify({ id, ...data }), now);
  return id;
});

const receiver = new Pool(`https://127.0.0.1:${port}`, { connections: IN_FLIGHT, connect: { ca, servername: host } });
let inFlight = 0;
let lastSeq = 0;
let scheduled = false;
function dispatch() {
  scheduled = false;
  const rows = pending.all(lastSeq, IN_FLIGHT - inFlight);
  for (const row of rows) {
    lastSeq = row.seq;
    inFlight++;
    const started = Date.now();
    receiver
      .request({ method: 'POST', path: '/events', headers: { host, 'content-type': 'application/json' }, body: JSON.stringify({ id: row.seq, type: row.change }) })
      .then(async (res) => {
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`receiver answered ${res.statusCode}`);
        markDone.run(started, Date.now(), row.seq);
      })
      .catch((err) => console.error(`event ${row.seq}: ${err.message}`))
      .finally(() => {
        inFlight--;
        wake();
      });
  }
}
function wake() {
  if (!scheduled && inFlight < IN_FLIGHT) {
    scheduled = true;
    setImmediate(dispatch);
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let data;
    try {
      data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      data = undefined;
    }
    if (req.method !== 'POST' || req.url !== '/v1/entities/employee') {
      res.writeHead(404).end();
      return;
    }
    if (typeof data?.firstName !== 'string' || typeof data.lastName !== 'string' || typeof data.email !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"firstName, lastName and email are required"}');
      return;
    }
    const id = create(data);
    wake();
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id, ...data, version: 1 }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));

const stats = db.prepare('select count(done_at) as done, max(done_at) as last from outbox where committed_at >= ?');
const latencies = db.prepare('select started_at - committed_at as ms from outbox where committed_at >= ? and done_at is not null');
process.on('message', (message) => {
  if (message.stop) {
    server.close();
    void receiver.close().then(() => (db.close(), process.disconnect()));
    return;
  }
  const since = message.stats;
  process.send({ ...stats.get(since), latencies: message.latencies ? latencies.all(since).map((r) => r.ms) : undefined });
});
