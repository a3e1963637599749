/**
 * Entity change events (docs/hooks.md, "PUSH hooks"): written to the outbox in the same transaction as
 * the change, later handed to PUSH hooks as `ctx.event`.
 */
import type { EntityType } from './entity-types.js';

export const CHANGE_TYPES = ['create', 'update', 'delete'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Who made a change; PUSH uses it to skip an integration's own writes (loop prevention). */
export interface ChangeSource {
  readonly kind: 'api' | 'pull' | 'inbound' | 'automation' | 'ui';
  readonly integrationId?: string;
  readonly hookId?: string;
  readonly apiKeyId?: string;
  /** The automation that wrote it (kind `automation`): it is never triggered by its own writes. */
  readonly automationId?: string;
  /** How many automations chained to make this write (kind `automation`); a chain stops at 5. */
  readonly depth?: number;
}

/**
 * One change, as `ctx.event` shows it. `before` is null for a create, `after` null for
 * a delete; both are the entity as the REST API shows it. `id` is stable across retries.
 */
export interface EntityEvent {
  readonly id: string;
  readonly entityType: EntityType;
  readonly entityId: string;
  readonly changeType: ChangeType;
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
  readonly source: ChangeSource;
  readonly occurredAt: string;
}
