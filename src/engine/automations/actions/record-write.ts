/**
 * What `create_record`, `update_record` and `delete_record` share: their params, finding
 * the entity (by Hookyard `id`, or by `externalId` in the source system `sourceSystemKey`
 * through the external links), and writing through the REST API's own entity operations
 * (the same validation, the change event in the same transaction), under the change
 * source `{ kind: 'automation', automationId, depth }` so the loop guard knows the write.
 * API pre- and post-hooks do not run: they guard calls through the REST API, as syncs
 * run none either.
 */
import { ENTITY_TYPES, type EntityType } from '../../../domain/entity-types.js';
import { HookyardError } from '../../../domain/errors.js';
import { issue, type FieldIssue } from '../../../domain/field-issues.js';
import { resolveExternalReference } from '../../../store/entities.js';
import { createEntityOperations, type EntityCaller } from '../../entity-operations.js';
import type { ActionContext } from './action.js';
import type { ParamRule } from './params.js';

/** How an action names its entity: its Hookyard id, or a source system's record of it. */
export interface RecordTarget {
  readonly entityType: EntityType;
  readonly id?: string;
  readonly externalId?: string;
  readonly sourceSystemKey?: string;
}

const nonEmpty: ParamRule['check'] = (value, path) => ((value as string).trim() === '' ? [issue(path, 'must not be empty')] : []);

/** The rules of `entityType`, `id`, `externalId`, `sourceSystemKey` and (`withData`) `data`. */
export function targetRules(withData: boolean): Readonly<Record<string, ParamRule>> {
  return {
    entityType: {
      required: true,
      kinds: ['string'],
      check: (value, path) => ((ENTITY_TYPES as readonly unknown[]).includes(value) ? [] : [issue(path, `must be one of ${ENTITY_TYPES.join(', ')}`)]),
    },
    id: { kinds: ['string'], check: nonEmpty },
    externalId: { kinds: ['string'], check: nonEmpty },
    sourceSystemKey: { kinds: ['string'], check: nonEmpty },
    ...(withData && { data: { required: true, kinds: ['object'] } }),
  };
}

/**
 * Which of `id` and `externalId` + `sourceSystemKey` are given: `required` (update,
 * delete) wants one of them, create none or the pair (the new entity's link); never both.
 */
export function targetIssues(params: unknown, required: boolean): FieldIssue[] {
  if (params === null || typeof params !== 'object') return [];
  const { id, externalId, sourceSystemKey } = params as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  if (!required && id !== undefined) issues.push(issue('id', 'cannot be given: a new record gets its id from Hookyard; link it with externalId and sourceSystemKey'));
  if (required && id !== undefined && (externalId !== undefined || sourceSystemKey !== undefined)) {
    issues.push(issue('id', 'names the record already: give either id or externalId with sourceSystemKey, not both'));
  }
  if ((externalId === undefined) !== (sourceSystemKey === undefined)) {
    const missing = externalId === undefined ? 'externalId' : 'sourceSystemKey';
    issues.push(issue(missing, `is required with ${missing === 'externalId' ? 'sourceSystemKey' : 'externalId'}`));
  }
  if (required && id === undefined && externalId === undefined && sourceSystemKey === undefined) {
    issues.push(issue('id', 'is required (or externalId with sourceSystemKey)'));
  }
  return issues;
}

/** The entity operations and the caller the writes are recorded as. */
export function recordWriter(ctx: ActionContext): { operations: ReturnType<typeof createEntityOperations>; caller: EntityCaller } {
  const { store } = ctx.deps;
  return {
    operations: createEntityOperations(store),
    caller: { orgId: ctx.orgId, source: { kind: 'automation', automationId: ctx.automationId, depth: ctx.depth } },
  };
}

/** The Hookyard id of the entity `target` names; 404 when there is none. */
export async function targetId(ctx: ActionContext, target: RecordTarget): Promise<string> {
  if (target.id !== undefined) return target.id;
  const { externalId, sourceSystemKey } = target as Required<RecordTarget>;
  const id = await resolveExternalReference(ctx.deps.store.db, ctx.orgId, sourceSystemKey, target.entityType, externalId);
  if (id === undefined) {
    throw new HookyardError('HY_NOT_FOUND', `no ${target.entityType} is linked to ${externalId} of source system ${sourceSystemKey}`);
  }
  return id;
}
