/**
 * What a consumer of the outbox is to the dispatcher (dispatch.ts): the PUSH hooks
 * (push/push-fan-out.ts) and the entity-triggered automations (automations/triggers/entity.ts).
 */
import type { Kysely } from 'kysely';
import type { EntityEvent } from '../../domain/entity-events.js';
import type { NewJob } from '../../jobs/index.js';
import type { Database } from '../../store/schema.js';

/**
 * A consumer of the outbox: once per batch it reads what it needs of the batch's
 * organisations, then answers the jobs each event makes (none when nobody wants it).
 */
export interface FanOut {
  /** The kinds of the jobs it makes, counted as pending deliveries for backpressure. */
  readonly kinds: readonly string[];
  prepare(trx: Kysely<Database>, orgIds: readonly string[]): Promise<PreparedFanOut>;
}

/** A consumer's targets for one batch. */
export interface PreparedFanOut {
  /** Whether any event of this organisation, entity type and change may make a job (before the event is read whole). */
  wants(orgId: string, entityType: string, changeType: string): boolean;
  /** The jobs `event` makes. */
  jobs(orgId: string, event: EntityEvent): NewJob[];
}
