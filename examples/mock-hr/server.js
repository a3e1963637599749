#!/usr/bin/env node
/**
 * A small mock HR system for the Hookyard tutorial (docs/getting-started.md).
 *
 *   node examples/mock-hr/server.js
 *
 * Serves HTTPS on 127.0.0.1:8443 with a certificate for hr.example.test, signed by a CA
 * generated at every start and written to examples/mock-hr/ca.pem, so that Hookyard
 * (or curl) can trust it. Needs no internet.
 *
 *   GET  /v2/people?page=N   paginated employees; needs "Authorization: Bearer <token>"
 *   POST /billing/events     records the JSON it receives (same bearer token); 201
 *   GET  /billing/events     lists what it received, oldest first
 *
 * Settings (environment): MOCK_HR_PORT (default 8443), MOCK_HR_CA_FILE (default
 * examples/mock-hr/ca.pem), MOCK_HR_TOKEN (default hr-demo-token-7f3a9c).
 */
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';

const HOSTNAME = 'hr.example.test';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.MOCK_HR_PORT ?? 8443);
const caFile = path.resolve(process.env.MOCK_HR_CA_FILE ?? path.join(HERE, 'ca.pem'));
const token = process.env.MOCK_HR_TOKEN ?? 'hr-demo-token-7f3a9c';
const PAGE_SIZE = 2;

/** The HR system's people, in its own field names. */
const PEOPLE = [
  { uid: 'p-1001', given: 'Ada', family: 'Lovelace', mail: 'ada@acme.test', title: 'Engineer', started: '2021-03-01' },
  { uid: 'p-1002', given: 'Grace', family: 'Hopper', mail: 'grace@acme.test', title: 'Engineering Manager', started: '2019-07-15' },
  { uid: 'p-1003', given: 'Alan', family: 'Turing', mail: 'alan@acme.test', title: 'Researcher', started: '2022-01-10' },
  { uid: 'p-1004', given: 'Katherine', family: 'Johnson', mail: 'katherine@acme.test', title: 'Analyst', started: '2020-11-02' },
  { uid: 'p-1005', given: 'Edsger', family: 'Dijkstra', mail: 'edsger@acme.test', title: 'Architect', started: '2018-05-21' },
];

/** What POST /billing/events received. */
const billingEvents = [];

/** A CA and a leaf certificate for hr.example.test (and 127.0.0.1, so curl can call it directly). */
async function certificates() {
  const ca = await generate([{ name: 'commonName', value: 'Hookyard Mock HR CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: HOSTNAME }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: HOSTNAME }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { ca: ca.cert, key: leaf.private, cert: leaf.cert };
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function authorised(req) {
  return req.headers.authorization === `Bearer ${token}`;
}

function handle(req, res, body) {
  const url = new URL(req.url ?? '/', `https://${HOSTNAME}`);
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /v2/people') {
    if (!authorised(req)) return send(res, 401, { error: 'missing or wrong bearer token' });
    const page = Number(url.searchParams.get('page') ?? '1');
    if (!Number.isInteger(page) || page < 1) return send(res, 400, { error: 'page must be a positive integer' });
    const people = PEOPLE.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const next = page * PAGE_SIZE < PEOPLE.length ? page + 1 : null;
    return send(res, 200, { page, people, next });
  }
  if (route === 'POST /billing/events') {
    if (!authorised(req)) return send(res, 401, { error: 'missing or wrong bearer token' });
    let event;
    try {
      event = JSON.parse(body);
    } catch {
      return send(res, 400, { error: 'body must be JSON' });
    }
    const received = { receivedAt: new Date().toISOString(), idempotencyKey: req.headers['idempotency-key'] ?? null, userAgent: req.headers['user-agent'] ?? null, event };
    billingEvents.push(received);
    console.log(`billing event received: ${JSON.stringify(event)}`);
    return send(res, 201, { received: billingEvents.length });
  }
  if (route === 'GET /billing/events') return send(res, 200, { events: billingEvents });
  return send(res, 404, { error: `no route ${route}` });
}

const { ca, key, cert } = await certificates();
writeFileSync(caFile, ca);
const server = https.createServer({ key, cert }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`Mock HR system listening on https://127.0.0.1:${address.port} (certificate for ${HOSTNAME})`);
  console.log(`CA certificate written to ${path.relative(process.cwd(), caFile) || caFile}`);
  console.log(`Bearer token: ${token}`);
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
