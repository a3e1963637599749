/**
 * The stand-in fixtures of a run that was given none: a dry run on the server and
 * `hookyard run` use the same ones, so a hook tried locally sees what its test sees.
 */
import { randomUUID } from 'node:crypto';
import type { EntityEvent } from '../domain/entity-events.js';
import type { Hook } from '../domain/hooks.js';

/** A stand-in event when the caller gives none: a create of a sample entity of the hook's type. */
export function sampleEvent(hook: Pick<Hook, 'entityType' | 'changeTypes'>): EntityEvent {
  const now = new Date().toISOString();
  const entityType = hook.entityType ?? 'employee';
  return {
    id: randomUUID(),
    entityType,
    entityId: 'sample',
    changeType: hook.changeTypes?.[0] ?? 'create',
    before: null,
    after: { id: 'sample', type: entityType, createdAt: now, updatedAt: now, version: 1, customAttributes: {} },
    source: { kind: 'api' },
    occurredAt: now,
  };
}

/** A stand-in `ctx.request` when the caller gives none. */
export function sampleRequest(hook: Pick<Hook, 'entityType' | 'operations'>): Record<string, unknown> {
  return { operation: hook.operations?.[0] ?? 'get', entityType: hook.entityType, message: {} };
}

/** A stand-in inbound call when the caller gives none: a JSON POST (or the hook's method) to the hook's path. */
export function sampleInboundRequest(hook: Pick<Hook, 'method' | 'path'>): { method: string; path: string; headers: Record<string, string>; query: Record<string, string>; body: unknown } {
  return { method: !hook.method || hook.method === 'ANY' ? 'POST' : hook.method, path: hook.path ?? '', headers: { 'content-type': 'application/json' }, query: {}, body: {} };
}
