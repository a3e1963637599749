/**
 * A real app over a fresh database of one engine, with requests through
 * `app.inject()` (no sockets), and helpers to make organisations and keys.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { createMetrics } from '../../src/api/metrics.js';
import { createPlatformMetrics, type PlatformMetrics } from '../../src/api/platform-metrics.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/domain/api-keys.js';
import { createSecretBox } from '../../src/domain/secret-box.js';
import type { EngineDeps, MailSettings } from '../../src/engine/deps.js';
import { ExecutionProgress } from '../../src/engine/execution-progress.js';
import { registerEngineJobs, startBackgroundServices } from '../../src/engine/jobs.js';
import { HandlerTable, JobQueue, JobWorker } from '../../src/jobs/index.js';
import { Egress, createSandbox, type ProcessEgressOptions as EgressOptions, type SandboxOptions } from '../../src/sandbox/index.js';
import { createApiKey } from '../../src/store/api-keys.js';
import type { Store } from '../../src/store/db.js';
import { insertOrganisation, type Organisation } from '../../src/store/organisations.js';
import { waitFor } from './jobs.js';
import { createResponseCheck } from './response-check.js';
import { freshStore, type TestEngine } from './stores.js';

/** An organisation with one key of each role. */
export interface TestTenant {
  readonly org: Organisation;
  readonly keys: Readonly<Record<Role, string>>;
}

export interface TestAppOptions {
  /** Egress settings of the sandbox and of the engine's own requests, e.g. `{ allowPrivate: true, ca }` for a local HTTPS server. */
  readonly egress?: EgressOptions;
  /** Start a job worker with every engine job registered, and the engine's background services. */
  readonly worker?: boolean;
  /** Other sandbox settings (bounds, processes). */
  readonly sandbox?: Omit<SandboxOptions, 'egress'>;
  /** Environment variables of the configuration, e.g. `HOOKYARD_INBOUND_RATE_PER_HOOK`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Record the platform's metrics (served on `/metrics`), as `serve` does. */
  readonly metrics?: boolean;
  /** The built web UI's folder (default: the server's own, absent when running from src/). */
  readonly webDir?: string;
  /** The SMTP server of automations' emails. */
  readonly mail?: MailSettings;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly deps: EngineDeps;
  /** With `metrics`: what the app serves on `/metrics`. */
  readonly metrics?: PlatformMetrics;
  /** Makes an organisation with one key per role. */
  tenant(slug: string): Promise<TestTenant>;
  /** Polls `GET /v1/executions/{id}` until the execution is neither queued nor running; returns it. */
  finished(key: string, executionId: string, timeoutMs?: number): Promise<any>;
  /** `app.inject` with `Authorization: Bearer key`; JSON bodies as objects. */
  call(key: string | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  dispose(): Promise<void>;
}

export async function createTestApp(engine: TestEngine, options: TestAppOptions = {}): Promise<TestApp> {
  const { store, dispose } = await freshStore(engine);
  const config = loadConfig({ HOOKYARD_LOG_LEVEL: 'silent', ...options.env }, { dataDir: '/nonexistent' });
  const sandbox = createSandbox({ ...options.sandbox, egress: options.egress ?? {} });
  const handlers = new HandlerTable();
  const metrics = options.metrics ? createPlatformMetrics(createMetrics(), { queue: { db: store.db, kinds: () => handlers.kinds() } }) : undefined;
  const egress = new Egress(options.egress ?? {});
  const deps: EngineDeps = {
    store,
    sandbox,
    queue: new JobQueue(store),
    secretBox: createSecretBox('test-master-key-0123456789abcdef0123'),
    metrics,
    egress,
    progress: new ExecutionProgress(),
    ...(options.mail && { mail: options.mail }),
  };
  const check = createResponseCheck();
  const app = await buildApp({ ...deps, config, registry: metrics?.registry, onSend: check.onSend, webDir: options.webDir });
  await app.ready();
  let worker: JobWorker | undefined;
  let stopServices: (() => Promise<void>) | undefined;
  if (options.worker) {
    registerEngineJobs(handlers, deps);
    worker = new JobWorker({ queue: deps.queue, handlers, pollIntervalMs: 200, concurrency: 4, metrics });
    await worker.start();
    stopServices = startBackgroundServices(deps);
  }
  const call: TestApp['call'] = (key, options) => {
    const headers = { ...(options.headers ?? {}) } as Record<string, string>;
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    return app.inject({ ...options, headers });
  };
  return {
    app,
    store,
    deps,
    metrics,
    call,
    async tenant(slug) {
      const org = await insertOrganisation(store.db, { slug });
      const keys = {} as Record<Role, string>;
      for (const role of ['admin', 'editor', 'viewer'] as const) {
        keys[role] = (await createApiKey(store.db, { orgId: org.id, role })).key;
      }
      return { org, keys };
    },
    async finished(key, executionId, timeoutMs = 30_000) {
      let execution: any;
      await waitFor(async () => {
        execution = (await call(key, { method: 'GET', url: `/v1/executions/${executionId}` })).json();
        return !['queued', 'running'].includes(execution.status);
      }, timeoutMs);
      return execution;
    },
    async dispose() {
      await stopServices?.();
      await worker?.stop({ timeoutMs: 10_000 });
      await app.close();
      await sandbox.close();
      await egress.close();
      await dispose();
      if (check.mismatches.length > 0) {
        throw new Error(`answers that do not match their documented schemas:\n${check.mismatches.join('\n')}`);
      }
    },
  };
}
