// The bare baseline of the entity API, in a process of its own (as Hookyard's server is):
// a node:http + better-sqlite3 (WAL) JSON service with `POST /v1/entities/employee`
// (required fields checked, the entity and its outbox row in one transaction) and
// `GET /v1/entities/employee/{id}`. Prints `listening <port>`; ends on SIGTERM.
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import SQLite from 'better-sqlite3';

const db = new SQLite(path.join(process.argv[2], 'bare.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  create table entities (id text primary key, type text not null, data text not null, version integer not null, created_at integer not null);
  create table outbox (seq integer primary key, entity_id text not null, change text not null, payload text not null);`);
const insertEntity = db.prepare('insert into entities (id, type, data, version, created_at) values (?, ?, ?, 1, ?)');
const insertEvent = db.prepare("insert into outbox (entity_id, change, payload) values (?, 'create', ?)");
const find = db.prepare('select id, data, version, created_at from entities where id = ? and type = ?');
const create = db.transaction((data) => {
  const id = crypto.randomUUID();
  const entity = { id, ...data, version: 1, createdAt: new Date().toISOString() };
  insertEntity.run(id, 'employee', JSON.stringify(data), Date.now());
  insertEvent.run(id, JSON.stringify(entity));
  return entity;
});

const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/entities/employee') {
      let data;
      try {
        data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return json(res, 400, { error: 'invalid JSON' });
      }
      if (typeof data?.firstName !== 'string' || typeof data.lastName !== 'string' || typeof data.email !== 'string') return json(res, 400, { error: 'firstName, lastName and email are required' });
      return json(res, 201, create(data));
    }
    const id = req.method === 'GET' && /^\/v1\/entities\/employee\/([\w-]+)$/.exec(req.url)?.[1];
    if (!id) return json(res, 404, { error: 'not found' });
    const row = find.get(id, 'employee');
    if (!row) return json(res, 404, { error: 'not found' });
    return json(res, 200, { id: row.id, ...JSON.parse(row.data), version: row.version, createdAt: new Date(row.created_at).toISOString() });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));
