/**
 * The job that runs an automation once, whatever triggered it (schedule slots, manual
 * runs, entity events): the scheduler and the outbox fan-out enqueue it, the runner
 * handles it. Inbound-triggered runs answer on the request path and use no job.
 */
import type { EntityEvent } from '../../domain/entity-events.js';

export const AUTOMATION_RUN = 'automation.run';

/** Attempts of an `automation.run` job: the first, and the re-runs of interrupted ones. */
export const AUTOMATION_ATTEMPTS = 3;

export interface AutomationRunPayload {
  readonly automationId: string;
  readonly triggerType: 'entity' | 'schedule' | 'manual';
  /** `scope.trigger` of the run: `{ slot }` for a schedule slot (ISO 8601), `{ body }` for a manual payload. */
  readonly trigger?: unknown;
  /** Entity triggers: the event, as PUSH hooks get it. */
  readonly event?: EntityEvent;
  /** The execution created when the run was asked for (manual runs answer its id at once). */
  readonly executionId?: string;
}
