#!/usr/bin/env node
/**
 * An example remote hook server for Hookyard: hooks that run on your own server, called
 * by Hookyard with a signed POST (docs/hooks.md, "Remote hooks"). Copy it and change the
 * handlers; it needs Node.js 20 and nothing else at run time.
 *
 *   node examples/remote-hook/server.js
 *
 * Serves HTTPS on 127.0.0.1:8444 with a certificate for hooks.example.test, signed by a CA
 * generated at every start and written to examples/remote-hook/ca.pem (a real server has a
 * real certificate instead). Every call's signature is checked with verify.js; a call that
 * is not signed with the hook's secret gets 401.
 *
 *   POST /hooks/people    a PULL hook with the step preSavePage: remote.steps ["preSavePage"]
 *   POST /hooks/billing   a PUSH hook: logs the change it is told about
 *
 * Settings (environment): REMOTE_HOOK_PORT (default 8444), REMOTE_HOOK_CA_FILE (default
 * examples/remote-hook/ca.pem), REMOTE_HOOK_SECRET_FILE (default
 * examples/remote-hook/signing-secret.txt): the hooks' signing secret, "whsec_" and base64;
 * when the file does not exist, a new secret is generated and written to it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import { verifyHookyardCall } from './verify.js';

const HOSTNAME = 'hooks.example.test';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.REMOTE_HOOK_PORT ?? 8444);
const caFile = path.resolve(process.env.REMOTE_HOOK_CA_FILE ?? path.join(HERE, 'ca.pem'));
const secretFile = path.resolve(process.env.REMOTE_HOOK_SECRET_FILE ?? path.join(HERE, 'signing-secret.txt'));
/** A call carries at most a page of records (up to 10 MB as JSON); refuse anything much bigger. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;
const PAGE_SIZE = 2;

/** The people of this example's "HR system", already in Hookyard's field names. */
const PEOPLE = [
  { id: 'hr-1', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test', jobRole: 'Engineer' },
  { id: 'hr-2', firstName: 'Grace', lastName: 'Hopper', email: 'grace@acme.test', jobRole: 'Engineering Manager' },
  { id: 'hr-3', firstName: 'Alan', lastName: 'Turing', email: null, jobRole: 'Researcher' },
  { id: 'hr-4', firstName: 'Katherine', lastName: 'Johnson', email: 'katherine@acme.test', jobRole: 'Analyst' },
  { id: 'hr-5', firstName: 'Edsger', lastName: 'Dijkstra', email: 'edsger@acme.test', jobRole: 'Architect' },
];

/** The signing secret of the hooks: read from its file, or made once and written there. */
function signingSecret() {
  if (existsSync(secretFile)) return readFileSync(secretFile, 'utf8').trim();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The PULL hook. `hook.step` says what Hookyard asks for: "run" for a page of records
 * (`meta` is what the previous page returned), or a step named in remote.steps with its
 * `input`. The reply is what a code hook's function would return.
 */
function people({ hook, meta, input }) {
  if (hook.step === 'run') {
    const page = meta?.page ?? 1;
    const records = PEOPLE.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map(({ id, ...data }) => ({ externalId: id, data }));
    const more = page * PAGE_SIZE < PEOPLE.length;
    return { records, more, meta: { page: page + 1 } };
  }
  if (hook.step === 'preSavePage') {
    // Skip people without an email address; an employee needs one.
    return { records: input.records.filter((r) => r.data.email) };
  }
  throw new Error(`no step ${hook.step} here`);
}

/** The PUSH hook: `event` is the change. A dry run must change nothing, so it only says what it would do. */
function billing({ event, execution }) {
  const what = `${event.changeType} of ${event.entityType} ${event.entityId}`;
  if (execution.dryRun) return { wouldSend: what };
  console.log(`billing: ${what} (event ${event.id}, attempt ${execution.attempt})`);
  return { sent: what };
}

const HOOKS = { '/hooks/people': people, '/hooks/billing': billing };

/** A CA and a leaf certificate for hooks.example.test, as examples/mock-hr/server.js makes them. */
async function certificates() {
  const ca = await generate([{ name: 'commonName', value: 'Hookyard Example Remote Hook CA' }], {
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

/** Answers one call whose body has been read whole (as a Buffer: the signature covers its exact bytes). */
function handle(secret, req, res, body) {
  const hook = HOOKS[new URL(req.url ?? '/', `https://${HOSTNAME}`).pathname];
  if (!hook) return send(res, 404, { error: 'no hook here' });
  if (req.method !== 'POST') return send(res, 405, { error: 'hooks are called with POST' });
  if (!verifyHookyardCall(secret, req.headers, body)) return send(res, 401, { error: 'not signed with this hook\'s secret' });
  try {
    return send(res, 200, hook(JSON.parse(body.toString('utf8'))));
  } catch (err) {
    // Hookyard records "The remote hook answered 500: …" with the start of this body.
    return send(res, 500, { error: String(err?.message ?? err) });
  }
}

const secret = signingSecret();
const { ca, key, cert } = await certificates();
writeFileSync(caFile, ca);
const server = https.createServer({ key, cert }, (req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      send(res, 413, { error: 'body too large' });
      req.destroy();
    } else chunks.push(chunk);
  });
  req.on('end', () => handle(secret, req, res, Buffer.concat(chunks)));
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`Remote hook server listening on https://127.0.0.1:${address.port} (certificate for ${HOSTNAME})`);
  console.log(`CA certificate written to ${path.relative(process.cwd(), caFile) || caFile}`);
  console.log(`Signing secret in ${path.relative(process.cwd(), secretFile) || secretFile}`);
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
