/**
 * Every setting of a Hookyard process, typed, read from the environment (docs/operations.md)
 * and overridable by `serve` flags. Defaults give the embedded mode: SQLite in
 * `./data`, API on 127.0.0.1:8080.
 */
import path from 'node:path';
import { HookyardError } from './domain/errors.js';
import type { ConnectTo } from './sandbox/egress.js';
import { parseConnectTo } from './sandbox/egress.js';
import { checkLimitOverrides, type LimitOverrides } from './sandbox/limits.js';

export type { ConnectTo } from './sandbox/egress.js';
export { parseConnectTo } from './sandbox/egress.js';

export interface EgressConfig {
  /** Lift the private-address block (development and tests only). */
  readonly allowPrivate: boolean;
  /** Send connections for HOST:PORT to another address (development and tests only). */
  readonly connectTo: readonly ConnectTo[];
  /** Extra CA certificate (PEM file) trusted for outbound HTTPS. */
  readonly caFile?: string;
}

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

function parseLogFormat(value: string, name: string): LogFormat {
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new HookyardError('HY_BAD_REQUEST', `${name} must be one of ${LOG_FORMATS.join(', ')}; got "${value}"`);
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `postgres://…` for PostgreSQL; undefined for embedded SQLite in `dataDir`. */
  readonly databaseUrl?: string;
  readonly masterKey?: string;
  /** Used as the first admin key on the very first start instead of a random one. */
  readonly adminKey?: string;
  /** The SMTP server of automations' `send_email`: `smtp://user:password@host:587` or `smtps://…`. */
  readonly smtpUrl?: string;
  /** The `From` address of automations' emails. */
  readonly smtpFrom?: string;
  readonly logLevel: string;
  /** `json` lines, readable `pretty` lines, or `auto`: pretty on a terminal unless NODE_ENV=production. */
  readonly logFormat: LogFormat;
  /**
   * Jobs (hook runs) one process runs at once. Most runs wait on a remote API, so the
   * default is high; each holds an isolate, so this times the hook memory limit bounds
   * the sandboxes' heap.
   */
  readonly workerConcurrency: number;
  /**
   * Sandbox processes that run hook code; an organisation's runs always go to the same
   * one. A hook that crashes its process cuts short the other runs in it, so more
   * processes spread that risk (each costs about 50 MB at rest). Default 2.
   */
  readonly sandboxProcesses: number;
  /** Hook runs in the sandbox at once, in total and per organisation (fairness between tenants). */
  readonly sandboxMaxRuns: number;
  /** Changes to the hooks' default limits (`HOOKYARD_HOOK_LIMITS`, JSON); none by default. */
  readonly hookLimits?: LimitOverrides;
  readonly sandboxMaxRunsPerOrg: number;
  /** Inbound calls per second one hook, and one organisation, takes before answering 429 (bursts of twice that). */
  readonly inboundRatePerHook: number;
  readonly inboundRatePerOrg: number;
  /** How long a job's lease holds without renewal (a dead process's jobs are retried after it); default 60 s. */
  readonly jobLeaseMs: number;
  /**
   * How long a shutdown (SIGTERM, SIGINT) may take before the process gives up, says
   * what was still running and exits 1; default 30 s.
   */
  readonly shutdownTimeoutMs: number;
  /**
   * Port of a listener that answers only `/metrics`, `/healthz` and `/readyz` (on
   * `host`); what lets Prometheus scrape a `worker`, which has no API. Unset: none.
   */
  readonly metricsPort?: number;
  /** Adds an `org` label (the organisation's id) to the run metrics; for small deployments only. */
  readonly metricsOrgLabel: boolean;
  /**
   * How long a shutdown keeps answering while `/readyz` already says 503, so a load
   * balancer stops sending requests before the listener closes; default 0.
   */
  readonly shutdownDrainMs: number;
  /** Days executions, finished jobs and dispatched outbox events are kept. */
  readonly retention: RetentionConfig;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
  readonly egress: EgressConfig;
}

/** How long each kind of history is kept, in days. */
export interface RetentionConfig {
  readonly executionDays: number;
  /** At least 26 hours: schedule slots are deduplicated by these rows' unique keys. */
  readonly jobDays: number;
  /** Outbox events, once every consumer has them (they also tell an entity's history). */
  readonly eventDays: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HookyardError('HY_BAD_REQUEST', `${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parsePositiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new HookyardError('HY_BAD_REQUEST', `${name} must be a positive integer, got "${value}"`);
  return n;
}

function parseDays(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= min) throw new HookyardError('HY_BAD_REQUEST', `${name} must be a number of days above ${+min.toFixed(2)}, got "${value}"`);
  return n;
}

function parseNonNegativeInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new HookyardError('HY_BAD_REQUEST', `${name} must be an integer of 0 or more, got "${value}"`);
  return n;
}

/** `HOOKYARD_HOOK_LIMITS`: `{ "all"?: { limit: n }, "pull"?: { … }, … }`. */
export function parseHookLimits(value: string | undefined, name = 'HOOKYARD_HOOK_LIMITS'): LimitOverrides | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (thrown) {
    throw new HookyardError('HY_BAD_REQUEST', `${name} is not JSON: ${(thrown as Error).message}`);
  }
  try {
    return checkLimitOverrides(parsed);
  } catch (thrown) {
    throw new HookyardError('HY_BAD_REQUEST', `${name}: ${(thrown as Error).message}`);
  }
}

function parseBool(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '') return false;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new HookyardError('HY_BAD_REQUEST', `${name} must be true or false, got "${value}"`);
}

/** Overrides given as `serve` flags win over the environment. */
export type ConfigOverrides = Partial<Omit<Config, 'egress'>> & { egress?: Partial<EgressConfig> };

/** Reads the configuration from `env` (normally `process.env`) plus overrides. */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const dataDir = path.resolve(overrides.dataDir ?? env.HOOKYARD_DATA_DIR ?? './data');
  const connectTo = (env.HOOKYARD_EGRESS_CONNECT_TO ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(parseConnectTo);
  const egress: EgressConfig = Object.freeze({
    allowPrivate: parseBool(env.HOOKYARD_EGRESS_ALLOW_PRIVATE, 'HOOKYARD_EGRESS_ALLOW_PRIVATE'),
    connectTo: Object.freeze(connectTo),
    caFile: env.HOOKYARD_EGRESS_CA_FILE || undefined,
    ...overrides.egress,
  });
  const { egress: _ignored, ...rest } = overrides;
  return Object.freeze({
    host: env.HOOKYARD_HOST || '127.0.0.1',
    port: env.HOOKYARD_PORT ? parsePort(env.HOOKYARD_PORT, 'HOOKYARD_PORT') : 8080,
    databaseUrl: env.HOOKYARD_DATABASE_URL || undefined,
    masterKey: env.HOOKYARD_MASTER_KEY || undefined,
    adminKey: env.HOOKYARD_ADMIN_KEY || undefined,
    smtpUrl: env.HOOKYARD_SMTP_URL || undefined,
    smtpFrom: env.HOOKYARD_SMTP_FROM || undefined,
    logLevel: env.HOOKYARD_LOG_LEVEL || 'info',
    logFormat: env.HOOKYARD_LOG_FORMAT ? parseLogFormat(env.HOOKYARD_LOG_FORMAT, 'HOOKYARD_LOG_FORMAT') : 'auto',
    bodyLimit: 1024 * 1024,
    jobLeaseMs: env.HOOKYARD_JOB_LEASE_MS ? parsePositiveInt(env.HOOKYARD_JOB_LEASE_MS, 'HOOKYARD_JOB_LEASE_MS') : 60_000,
    shutdownTimeoutMs: env.HOOKYARD_SHUTDOWN_TIMEOUT_MS ? parsePositiveInt(env.HOOKYARD_SHUTDOWN_TIMEOUT_MS, 'HOOKYARD_SHUTDOWN_TIMEOUT_MS') : 30_000,
    sandboxProcesses: env.HOOKYARD_SANDBOX_PROCESSES ? parsePositiveInt(env.HOOKYARD_SANDBOX_PROCESSES, 'HOOKYARD_SANDBOX_PROCESSES') : 2,
    sandboxMaxRuns: env.HOOKYARD_SANDBOX_MAX_RUNS ? parsePositiveInt(env.HOOKYARD_SANDBOX_MAX_RUNS, 'HOOKYARD_SANDBOX_MAX_RUNS') : 64,
    hookLimits: parseHookLimits(env.HOOKYARD_HOOK_LIMITS),
    inboundRatePerHook: env.HOOKYARD_INBOUND_RATE_PER_HOOK ? parsePositiveInt(env.HOOKYARD_INBOUND_RATE_PER_HOOK, 'HOOKYARD_INBOUND_RATE_PER_HOOK') : 50,
    inboundRatePerOrg: env.HOOKYARD_INBOUND_RATE_PER_ORG ? parsePositiveInt(env.HOOKYARD_INBOUND_RATE_PER_ORG, 'HOOKYARD_INBOUND_RATE_PER_ORG') : 200,
    sandboxMaxRunsPerOrg: env.HOOKYARD_SANDBOX_MAX_RUNS_PER_ORG ? parsePositiveInt(env.HOOKYARD_SANDBOX_MAX_RUNS_PER_ORG, 'HOOKYARD_SANDBOX_MAX_RUNS_PER_ORG') : 32,
    workerConcurrency: env.HOOKYARD_WORKER_CONCURRENCY ? parsePositiveInt(env.HOOKYARD_WORKER_CONCURRENCY, 'HOOKYARD_WORKER_CONCURRENCY') : 32,
    metricsPort: env.HOOKYARD_METRICS_PORT ? parsePort(env.HOOKYARD_METRICS_PORT, 'HOOKYARD_METRICS_PORT') : undefined,
    metricsOrgLabel: parseBool(env.HOOKYARD_METRICS_ORG_LABEL, 'HOOKYARD_METRICS_ORG_LABEL'),
    shutdownDrainMs: env.HOOKYARD_SHUTDOWN_DRAIN_MS ? parseNonNegativeInt(env.HOOKYARD_SHUTDOWN_DRAIN_MS, 'HOOKYARD_SHUTDOWN_DRAIN_MS') : 0,
    retention: Object.freeze({
      executionDays: parseDays(env.HOOKYARD_EXECUTION_RETENTION_DAYS, 'HOOKYARD_EXECUTION_RETENTION_DAYS', 30),
      jobDays: parseDays(env.HOOKYARD_JOB_RETENTION_DAYS, 'HOOKYARD_JOB_RETENTION_DAYS', 3, 26 / 24),
      eventDays: parseDays(env.HOOKYARD_EVENT_RETENTION_DAYS, 'HOOKYARD_EVENT_RETENTION_DAYS', 90),
    }),
    ...rest,
    dataDir,
    egress,
  });
}
