/**
 * The Prometheus series of a Hookyard process: what its workers, runs, deliveries and
 * clean-ups do, and how much work waits in the queue. One instance per process, passed
 * to the engine and the job worker (never imported as a singleton), with its own
 * registry so tests can run many.
 *
 * Labels are bounded: job kinds, hook types, action types, triggers, statuses, limit
 * names and egress error codes are short fixed lists. Organisation ids appear only as the opt-in `org`
 * label of the run series (`HOOKYARD_METRICS_ORG_LABEL`), for small deployments.
 */
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { FinishedRun, PrunedKind, RunMetrics } from '../engine/run-metrics.js';
import type { JobMetrics, JobOutcome } from '../jobs/job-metrics.js';
import { queueDepth } from '../jobs/queue-depth.js';
import type { Database } from '../store/schema.js';
import { withTimeout } from './readiness.js';

/** What the queue gauges read when Prometheus scrapes. */
export interface QueueSource {
  readonly db: Kysely<Database>;
  /** The job kinds this process runs: each gets a series, 0 when nothing waits. */
  kinds(): readonly string[];
  readonly now?: () => number;
}

export interface PlatformMetricsOptions {
  /** Adds the `org` label to the run series. */
  readonly orgLabel?: boolean;
  /** When set, queue depth and oldest due age are read at each scrape. */
  readonly queue?: QueueSource;
}

/** Both sides of the metrics the platform injects, over one registry. */
export interface PlatformMetrics extends RunMetrics, JobMetrics {
  readonly registry: Registry;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** A scrape that waits longer than this for the queue's numbers leaves them out. */
const QUEUE_READ_TIMEOUT_MS = 2000;

/** Creates the series in `registry` and returns the recorder the engine and workers call. */
export function createPlatformMetrics(registry: Registry, options: PlatformMetricsOptions = {}): PlatformMetrics {
  const registers = [registry];
  const org = options.orgLabel ? (['org'] as const) : ([] as const);
  // Object.assign, not `{ ...labels, org }`: a literal that starts with a spread gets a hidden class per call (run-metrics.ts).
  const withOrg = <T extends Record<string, string>>(labels: T, orgId: string): T => (options.orgLabel ? Object.assign({}, labels, { org: orgId }) : labels);

  const jobCounter = (name: string, help: string) => new Counter({ name: `hookyard_jobs_${name}_total`, help, labelNames: ['kind'], registers });
  const claimed = jobCounter('claimed', 'Jobs claimed by a worker of this process, recoveries included');
  const recovered = jobCounter('recovered', 'Jobs claimed again after their previous attempt lost its lease (its process died or hung)');
  const outcomes: Record<JobOutcome, Counter> = {
    completed: jobCounter('completed', 'Job attempts that completed'),
    retried: jobCounter('retried', 'Job attempts that failed and were scheduled to run again'),
    failed: jobCounter('failed', 'Jobs that failed for good: their last attempt failed'),
  };

  const executions = new Counter({
    name: 'hookyard_executions_total',
    help: 'Executions that ended, by hook type, trigger and status',
    labelNames: ['hook_type', 'trigger', 'status', ...org],
    registers,
  });
  const duration = new Histogram({
    name: 'hookyard_execution_duration_seconds',
    help: 'How long executions ran, by hook type (skipped ones are left out)',
    labelNames: ['hook_type', ...org],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const breaches = new Counter({
    name: 'hookyard_sandbox_limit_breaches_total',
    help: 'Executions that ended on a sandbox limit, by the limit',
    labelNames: ['hook_type', 'limit', ...org],
    registers,
  });
  const httpErrors = new Counter({
    name: 'hookyard_outbound_http_errors_total',
    help: 'Outbound HTTP calls of hooks that got no answer, by error code',
    labelNames: ['hook_type', 'code', ...org],
    registers,
  });
  const lag = new Histogram({
    name: 'hookyard_push_delivery_lag_seconds',
    help: "Time from an entity change's commit to the start of its first delivery to a PUSH hook",
    labelNames: [...org],
    buckets: LAG_BUCKETS,
    registers,
  });
  const inboundCalls = new Counter({
    name: 'hookyard_inbound_calls_total',
    help: 'Calls to /inbound routes, by the status they were answered with',
    labelNames: ['status'],
    registers,
  });
  const inboundDuration = new Histogram({
    name: 'hookyard_inbound_duration_seconds',
    help: 'How long calls to /inbound routes took to answer',
    buckets: DURATION_BUCKETS,
    registers,
  });
  const actions = new Counter({
    name: 'hookyard_automation_actions_total',
    help: 'Automation actions that ended, by action type and status (completed, failed, skipped)',
    labelNames: ['type', 'status'],
    registers,
  });
  const actionDuration = new Histogram({
    name: 'hookyard_automation_action_duration_seconds',
    help: 'How long automation actions ran, by action type (skipped ones are left out)',
    labelNames: ['type'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const emails = new Counter({
    name: 'hookyard_smtp_messages_total',
    help: "Messages automations' send_email handed to the SMTP server (sent), or could not (failed)",
    labelNames: ['outcome'],
    registers,
  });
  const pruned = new Counter({
    name: 'hookyard_retention_pruned_total',
    help: 'Rows the clean-up deleted, by kind of history',
    labelNames: ['kind'],
    registers,
  });

  const queue = options.queue;
  if (queue !== undefined) {
    // One read serves both gauges of a scrape (prom-client collects every metric before it renders).
    let reading: Promise<void> | undefined;
    const read = (): Promise<void> =>
      (reading ??= (async () => {
        const now = (queue.now ?? Date.now)();
        let rows: Awaited<ReturnType<typeof queueDepth>>;
        try {
          rows = await withTimeout(queueDepth(queue.db, now), QUEUE_READ_TIMEOUT_MS, 'reading the queue');
        } catch {
          // The database does not answer: the queue series are left out of this scrape, and /readyz says why.
          depth.reset();
          age.reset();
          return;
        }
        depth.reset();
        age.reset();
        const byKind = new Map(rows.map((row) => [row.kind, row]));
        for (const kind of new Set([...queue.kinds(), ...byKind.keys()])) {
          const row = byKind.get(kind);
          depth.set({ kind }, row?.due ?? 0);
          age.set({ kind }, row ? Math.max(0, now - row.oldestRunAt) / 1000 : 0);
        }
      })().finally(() => (reading = undefined)));
    const depth = new Gauge({ name: 'hookyard_queue_depth', help: 'Pending jobs whose run time has come, by kind', labelNames: ['kind'], registers, collect: read });
    const age = new Gauge({
      name: 'hookyard_queue_oldest_due_age_seconds',
      help: 'Age of the oldest due pending job (since its run time), by kind; 0 when none waits',
      labelNames: ['kind'],
      registers,
      collect: read,
    });
  }

  return {
    registry,
    claimed(kind, recovery) {
      claimed.inc({ kind });
      if (recovery) recovered.inc({ kind });
    },
    finished(kind, outcome) {
      outcomes[outcome].inc({ kind });
    },
    executionFinished(run: FinishedRun) {
      // Labels as literals, not spread from one another: a literal that starts with a spread gets a hidden class per call (run-metrics.ts).
      const hook_type = run.hookType;
      executions.inc(withOrg({ hook_type, trigger: run.trigger, status: run.status }, run.orgId));
      if (run.durationMs !== undefined) duration.observe(withOrg({ hook_type }, run.orgId), Math.max(0, run.durationMs) / 1000);
      if (run.limit !== undefined) breaches.inc(withOrg({ hook_type, limit: run.limit }, run.orgId));
      for (const code of run.httpErrors) httpErrors.inc(withOrg({ hook_type, code }, run.orgId));
    },
    deliveryStarted(orgId, lagMs) {
      lag.observe(withOrg({}, orgId), Math.max(0, lagMs) / 1000);
    },
    pruned(kind: PrunedKind, rows: number) {
      if (rows > 0) pruned.inc({ kind }, rows);
    },
    inboundCall(status: number, durationMs: number) {
      inboundCalls.inc({ status: String(status) });
      inboundDuration.observe(Math.max(0, durationMs) / 1000);
    },
    actionFinished(type, status, durationMs) {
      actions.inc({ type, status });
      if (durationMs !== undefined) actionDuration.observe({ type }, Math.max(0, durationMs) / 1000);
    },
    emailSent(outcome) {
      emails.inc({ outcome });
    },
  };
}
