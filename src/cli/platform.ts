/**
 * The composition root of a Hookyard process: store, sandbox, queue, workers and,
 * for `serve`, the HTTP API. `serve` and `worker` differ only in `api`.
 */
import fs from 'node:fs';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { createMetrics } from '../api/metrics.js';
import { buildMetricsServer } from '../api/metrics-server.js';
import { createPlatformMetrics } from '../api/platform-metrics.js';
import { Readiness } from '../api/readiness.js';
import type { Config } from '../config.js';
import { createSecretBox } from '../domain/secret-box.js';
import type { EngineDeps } from '../engine/deps.js';
import { ExecutionProgress } from '../engine/execution-progress.js';
import { registerEngineJobs, startBackgroundServices } from '../engine/jobs.js';
import { bootstrap } from '../engine/organisations.js';
import { HandlerTable, JobQueue, JobWorker } from '../jobs/index.js';
import { resolveMasterKey } from '../master-key.js';
import { Egress, createSandbox, type ProcessEgressOptions } from '../sandbox/index.js';
import { migrate, openStore } from '../store/db.js';
import type { FolderLock } from '../store/sqlite/folder-lock.js';
import { loggerFor } from './log-output.js';
import { lockEmbeddedStore } from './store-options.js';

export interface Platform {
  readonly deps: EngineDeps;
  /** The HTTP app, when started with `api`. */
  readonly app?: FastifyInstance;
  /** Set on the very first start: the `default` organisation's admin key. */
  readonly firstAdminKey?: string;
  /** Stops taking work, lets running jobs finish (up to a deadline), closes everything. */
  close(): Promise<void>;
  /**
   * What `close` is waiting for now, e.g. `workers (2 jobs running: …)`; `nothing` when
   * it has not started or is done. Said when a shutdown gives up.
   */
  stillRunning(): string;
}

/** The sandbox's egress settings from the process configuration. */
export function egressOptions(config: Config): ProcessEgressOptions {
  return {
    allowPrivate: config.egress.allowPrivate,
    connectTo: config.egress.connectTo,
    ...(config.egress.caFile && { ca: fs.readFileSync(config.egress.caFile, 'utf8') }),
  };
}

export async function startPlatform(config: Config, options: { api: boolean }): Promise<Platform> {
  const lock = lockEmbeddedStore(config, options.api ? 'hookyard serve' : 'hookyard worker');
  try {
    return await assemble(config, options, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function assemble(config: Config, options: { api: boolean }, lock: FolderLock | undefined): Promise<Platform> {
  const secretBox = createSecretBox(resolveMasterKey(config));
  const store = openStore(config);
  const readiness = new Readiness('migrating');
  const handlers = new HandlerTable();
  const registry = createMetrics();
  const metrics = createPlatformMetrics(registry, { orgLabel: config.metricsOrgLabel, queue: { db: store.db, kinds: () => handlers.kinds() } });
  // A worker running `workerConcurrency` hooks of one organisation at once keeps that many
  // isolates warm; with fewer, almost every run would dispose one and build another.
  const sandbox = createSandbox({
    egress: egressOptions(config),
    processes: config.sandboxProcesses,
    maxRuns: config.sandboxMaxRuns,
    maxRunsPerOrg: config.sandboxMaxRunsPerOrg,
    maxIdleIsolates: Math.max(8, config.workerConcurrency),
    ...(config.hookLimits && { limits: config.hookLimits }),
  });
  const queue = new JobQueue(store);
  // The engine's own requests (automations) go out under the hooks' policy and settings.
  const egress = new Egress(egressOptions(config));
  const mail = { smtpUrl: config.smtpUrl, from: config.smtpFrom };
  const deps: EngineDeps = { store, secretBox, sandbox, queue, metrics, retention: config.retention, egress, mail, progress: new ExecutionProgress() };

  // The listeners open before the migrations run, so that /readyz can say they do.
  const app = options.api ? await buildApp({ ...deps, config, logger: loggerFor(config), registry, readiness }) : undefined;
  const metricsApp = config.metricsPort === undefined ? undefined : await buildMetricsServer({ registry, readiness, db: store.db });
  const sockets = new Set<Socket>();
  app?.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let first: Awaited<ReturnType<typeof bootstrap>>;
  try {
    await app?.listen({ host: config.host, port: config.port });
    await metricsApp?.listen({ host: config.host, port: config.metricsPort });
    await migrate(store);
    first = await bootstrap(store.db, config.adminKey);
  } catch (err) {
    await Promise.allSettled([app?.close(), metricsApp?.close()]);
    await Promise.allSettled([sandbox.close(), egress.close(), store.close()]);
    throw err;
  }

  registerEngineJobs(handlers, deps);
  const worker = new JobWorker({ queue, handlers, concurrency: config.workerConcurrency, leaseMs: config.jobLeaseMs, metrics });
  await worker.start();
  const stopServices = startBackgroundServices(deps);
  readiness.set('ready');

  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  // Running jobs get most of the shutdown deadline; what is left closes the sandbox and the store.
  const jobsTimeoutMs = Math.min(20_000, Math.floor((config.shutdownTimeoutMs * 2) / 3));
  const steps: ReadonlyArray<{ readonly name: string; run(): Promise<unknown>; detail?(): string }> = [
    // /readyz answers 503 from the first step on; the drain gives load balancers time to see it.
    {
      name: 'HTTP server',
      async run() {
        await drain(config.shutdownDrainMs);
        await app?.close();
      },
      detail: () => `${plural(sockets.size, 'connection')} open`,
    },
    { name: 'background services', run: stopServices },
    {
      name: 'workers',
      run: () => worker.stop({ timeoutMs: jobsTimeoutMs }),
      detail: () => `${plural(worker.runningJobs.length, 'job')} running${worker.runningJobs.length ? `: ${worker.runningJobs.join(', ')}` : ''}`,
    },
    { name: 'sandbox', run: () => sandbox.close() },
    { name: 'outbound connections', run: () => egress.close() },
    { name: 'metrics listener', run: async () => metricsApp?.close() },
    { name: 'store', run: () => store.close() },
  ];
  let current: (typeof steps)[number] | undefined;
  return {
    deps,
    app,
    firstAdminKey: first?.adminKey,
    async close() {
      readiness.set('stopping');
      for (const step of steps) {
        current = step;
        await step.run();
      }
      current = undefined;
      lock?.release();
    },
    stillRunning() {
      if (!current) return 'nothing';
      const detail = current.detail?.();
      return `closing the ${current.name}${detail ? ` (${detail})` : ''}`;
    },
  };
}

const drain = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * Closes the platform on SIGTERM or SIGINT, then exits: 0 when the close went well, 1
 * when it failed or did not finish within `timeoutMs` (then it says on stdout what was
 * still running).
 */
export function stopOnSignals(platform: Platform, options: { readonly timeoutMs: number; log(message: string): void }): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    options.log(`${signal}: shutting down`);
    setTimeout(() => {
      console.log(`shutdown gave up after ${options.timeoutMs} ms; still running: ${platform.stillRunning()}`);
      process.exit(1);
    }, options.timeoutMs).unref();
    platform.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('shutdown failed:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
