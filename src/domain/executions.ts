/**
 * Executions: the record of one run of a hook or automation (docs/hooks.md, "Executions").
 */
import type { AutomationStep } from './automations.js';

export const EXECUTION_STATUSES = ['queued', 'running', 'completed', 'failed', 'timed_out', 'skipped'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** What started a run. */
export const TRIGGERS = ['schedule', 'manual', 'event', 'api', 'inbound', 'test', 'automation', 'retry'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** Record counts of a run; pull and inbound hooks fill them, others count what they processed. */
export interface Counts {
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export const emptyCounts = (): Counts => ({ processed: 0, created: 0, updated: 0, skipped: 0, failed: 0 });

/**
 * The counts of a dry run (`dryRun: true`): what would have happened, since nothing
 * did. They add up the preview's outcomes, all of them (the preview itself is capped).
 */
export interface DryRunCounts {
  processed: number;
  wouldCreate: number;
  wouldUpdate: number;
  wouldDelete: number;
  wouldSkip: number;
  invalid: number;
}

export const emptyDryRunCounts = (): DryRunCounts => ({ processed: 0, wouldCreate: 0, wouldUpdate: 0, wouldDelete: 0, wouldSkip: 0, invalid: 0 });

/** The dry-run count each preview outcome adds to. */
export const DRY_RUN_COUNT: Readonly<Record<PreviewItem['outcome'], Exclude<keyof DryRunCounts, 'processed'>>> = Object.freeze({
  'would-create': 'wouldCreate',
  'would-update': 'wouldUpdate',
  'would-delete': 'wouldDelete',
  'would-skip': 'wouldSkip',
  invalid: 'invalid',
});

export interface ExecutionLogEntry {
  readonly ts: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data?: unknown;
}

/** One entry of an execution's HTTP log; `url` has secrets redacted. */
export interface ExecutionHttpEntry {
  readonly method: string;
  readonly url: string;
  /** Response status; 0 when no response arrived. */
  readonly status: number;
  readonly durationMs: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly error?: string;
}

export interface ExecutionError {
  readonly message: string;
  readonly stack?: string;
  readonly line?: number;
  readonly column?: number;
  /** The limit that was hit, when one was. */
  readonly limit?: string;
  /** The page of a pull execution that failed. */
  readonly page?: number;
}

/** A dry run's verdict on one record. */
export interface PreviewItem {
  readonly externalId: string;
  readonly outcome: 'would-create' | 'would-update' | 'would-skip' | 'would-delete' | 'invalid';
  /** Changed fields of a would-update: `{ field: { from, to } }`. */
  readonly changes?: Record<string, { from: unknown; to: unknown }>;
  readonly error?: string;
}

export interface Execution {
  readonly id: string;
  readonly hookId: string | null;
  readonly automationId: string | null;
  readonly status: ExecutionStatus;
  readonly trigger: Trigger;
  readonly dryRun: boolean;
  readonly attempt: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly pages: number;
  /** {@link DryRunCounts} when `dryRun` is true. */
  readonly counts: Counts | DryRunCounts;
  readonly logs: readonly ExecutionLogEntry[];
  readonly http: readonly ExecutionHttpEntry[];
  readonly error?: ExecutionError;
  readonly preview?: readonly PreviewItem[];
  /** Automation runs: every condition evaluated, the case each action chose, each action's outcome. */
  readonly steps?: readonly AutomationStep[];
  readonly createdAt: string;
}

/** How an execution ended: everything that is written when it finishes. */
export interface ExecutionOutcome {
  readonly status: Exclude<ExecutionStatus, 'queued' | 'running'>;
  readonly pages?: number;
  readonly counts?: Counts | DryRunCounts;
  readonly logs?: readonly ExecutionLogEntry[];
  readonly http?: readonly ExecutionHttpEntry[];
  readonly error?: ExecutionError;
  readonly preview?: readonly PreviewItem[];
  readonly steps?: readonly AutomationStep[];
}
