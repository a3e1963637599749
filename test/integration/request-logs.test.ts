import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { createSecretBox } from '../../src/domain/secret-box.js';
import { JobQueue } from '../../src/jobs/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createApiKey } from '../../src/store/api-keys.js';
import { insertOrganisation } from '../../src/store/organisations.js';
import { describeEachEngine, freshStore } from '../helpers/stores.js';

const SECRET = 'logged-n0where-4f9a-secret';

describeEachEngine('request logs', (engine) => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let sandbox: Sandbox;
  let dispose: () => Promise<void>;
  let key: string;

  beforeAll(async () => {
    const fresh = await freshStore(engine);
    dispose = fresh.dispose;
    sandbox = createSandbox();
    const config = loadConfig({ HOOKYARD_LOG_LEVEL: 'trace' }, { dataDir: '/nonexistent' });
    const deps = { store: fresh.store, sandbox, queue: new JobQueue(fresh.store), secretBox: createSecretBox('test-master-key-0123456789abcdef0123') };
    app = await buildApp({ ...deps, config, logger: { stream: { write: (line: string) => void lines.push(line) } } });
    await app.ready();
    const org = await insertOrganisation(fresh.store.db, { slug: 'acme' });
    key = (await createApiKey(fresh.store.db, { orgId: org.id, role: 'admin' })).key;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await dispose?.();
  });

  it('never logs a secret value, a request body or an API key, even at trace level', async () => {
    const headers = { authorization: `Bearer ${key}` };
    const integration = (await app.inject({ method: 'POST', url: '/v1/integrations', headers, payload: { name: 'HR', sourceSystemKey: 'hr' } })).json();
    const url = `/v1/integrations/${integration.id}/secrets/token`;
    expect((await app.inject({ method: 'PUT', url, headers, payload: { value: SECRET } })).statusCode).toBe(201);
    const malformed = await app.inject({ method: 'PUT', url, headers: { ...headers, 'content-type': 'application/json' }, payload: `{"value": ${SECRET}}` });
    expect(malformed.statusCode).toBe(400);
    const tooLong = await app.inject({ method: 'PUT', url, headers, payload: { value: SECRET.repeat(1000) } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).not.toContain(SECRET);
    await app.inject({ method: 'GET', url: '/v1/integrations', headers: { authorization: `Bearer ${key}x` } });

    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain(url);
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(key.slice(4));
  });
});
