/**
 * The entity REST API (docs/api.md) as five operations, one function each, keyed by the
 * names API pre- and post-hooks use (docs/hooks.md, "API pre-hooks and post-hooks"): the routes are thin around this table,
 * and the api-hooks engine wraps exactly these functions.
 *
 * Each operation validates its own `message`, because a pre-hook may replace it.
 * Failures are thrown as {@link HookyardError}s (the API's error handler, or a hook
 * wrapper, turns them into `{ error: { code, message, details? } }` with their status).
 *
 * What the REST API decides, where syncs differ:
 * - unknown fields (at any depth) and custom attribute keys without a definition are
 *   refused with 400 naming them; PULL ignores them with a warning;
 * - references are Hookyard ids (`employeeId`, `projectId`): the entity must exist in the
 *   organisation with the right type, else 422. An `*ExternalId` alone is refused with
 *   422: the API has no sourceSystemKey to resolve it in (syncs resolve it, then write both);
 * - filters are equality on top-level scalar fields (`?status=open&fte=1`); others answer 400.
 */
import type { Kysely } from 'kysely';
import type { ValueRule } from '../domain/custom-attributes.js';
import type { ChangeSource } from '../domain/entity-events.js';
import { ENTITY_TYPES, entityType, isEntityType, type EntityType } from '../domain/entity-types.js';
import { validateEntityData, type ValidationMode } from '../domain/entity-validation.js';
import { HookyardError, invalidField, validationError } from '../domain/errors.js';
import { issue, underRoot, type FieldIssue } from '../domain/field-issues.js';
import { API_OPERATIONS, type ApiOperation } from '../domain/hooks.js';
import type { Principal } from '../store/api-keys.js';
import { customAttributeDefinitions } from '../store/custom-attributes.js';
import type { Engine } from '../store/dialect.js';
import { createEntity, deleteEntity, findEntity, listEntities, updateEntity, type Entity } from '../store/entities.js';
import { linksOfEntities, type EntityLink } from '../store/external-links.js';
import type { Database } from '../store/schema.js';

/** An entity as the REST API answers it: with the source system records it is linked to. */
export type LinkedEntity = Entity & { readonly links: readonly EntityLink[] };

/**
 * `entity` with its links last. Object.assign, not `{ ...entity, links }`: on Node 20's V8 a
 * literal that starts with a spread and then adds a property gets a hidden class of its own
 * on every call, kept in the old space until the next full collection (bench/README.md,
 * Inbound, "Peak RSS").
 */
function linked(entity: Entity, links: readonly EntityLink[]): LinkedEntity {
  return Object.assign({}, entity, { links });
}

/** The operations, named as API pre- and post-hooks name them. */
export const ENTITY_OPERATIONS = API_OPERATIONS;
export type EntityOperationName = ApiOperation;

/**
 * Who calls: an API key (its writes are recorded as `{ kind: 'api', apiKeyId }`), or a
 * part of the engine that writes as the API does under its own change source (an
 * automation names itself there, which is what keeps it from triggering itself).
 */
export type EntityCaller = Principal | { readonly orgId: string; readonly source: ChangeSource };

/** One call of an operation, as `ctx.request` describes it to hooks (plus who calls and If-Match). */
export interface EntityCall {
  readonly principal: EntityCaller;
  /** The entity type as the URL gives it; an unknown one answers 404. */
  readonly type: string;
  readonly id?: string;
  /** The body for create and update, `{ id }` for get and delete, the query for list. */
  readonly message: unknown;
  /** The `If-Match` header: `"<version>"` (or `*`) makes update and delete conditional. */
  readonly ifMatch?: string;
}

/** What the API answers. */
export interface EntityResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Set when a pre-hook stopped the call or a post-hook replaced the answer: its status and body are the hook's, not the API's. */
  readonly byHook?: true;
}

export type EntityOperation = (call: EntityCall) => Promise<EntityResponse>;

/** What the operations need of the store. */
export interface EntityOperationDeps {
  readonly db: Kysely<Database>;
  readonly engine: Pick<Engine, 'jsonText'>;
}

const PAGE_SIZE = { default: 50, max: 500 } as const;

function knownType(type: string): EntityType {
  if (isEntityType(type)) return type;
  throw new HookyardError('HY_NOT_FOUND', `unknown entity type "${type}"; the types are ${ENTITY_TYPES.join(', ')}`);
}

function entityId(call: EntityCall): string {
  if (!call.id) throw invalidField('params/id', 'is missing');
  return call.id;
}

function notFound(type: EntityType, id: string): HookyardError {
  return new HookyardError('HY_NOT_FOUND', `${type} ${id} not found`);
}

/** `"3"`, `W/"3"` or `3` → 3; `*` or no header → any version. */
function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(ifMatch);
  if (!match) {
    const found = issue('headers/if-match', `must be an ETag this API returned, like "3"; got ${ifMatch}`);
    throw new HookyardError('HY_BAD_REQUEST', found.message, { details: [found] });
  }
  return Number(match[1]);
}

function withEtag(status: number, entity: Entity, headers: Record<string, string> = {}): EntityResponse {
  return { status, body: entity, headers: { etag: `"${entity.version}"`, ...headers } };
}

/**
 * Runs a store write whose rules over the merged record (400) name fields from the
 * record's root, and names them under `body` as every other 400 of the API does.
 */
async function namedInBody<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof HookyardError && error.code === 'HY_VALIDATION' && Array.isArray(error.details)) {
      throw validationError(underRoot('body', error.details as FieldIssue[]), { cause: error });
    }
    throw error;
  }
}

function sourceOf(caller: EntityCaller): ChangeSource {
  return 'source' in caller ? caller.source : { kind: 'api', apiKeyId: caller.apiKeyId };
}

/** One value of a query parameter: repeated parameters are refused rather than guessed at. */
function single(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  throw invalidField(`query/${name}`, 'must be given once, as text');
}

/** The list parameters that filter by link rather than by field. */
const LINK_FILTERS = ['sourceSystemKey', 'externalId'] as const;

/** `?limit=&cursor=&sourceSystemKey=&externalId=&<field>=<value>…` of a list, checked against the type's scalar fields. */
function listQuery(
  type: EntityType,
  message: unknown,
): { limit: number; cursor?: string; where: Record<string, string>; linkedTo?: { sourceSystemKey?: string; externalId?: string } } {
  const query = (message ?? {}) as Record<string, unknown>;
  const scalars = entityType(type).scalars;
  const where: Record<string, string> = {};
  let limit: number = PAGE_SIZE.default;
  let cursor: string | undefined;
  let linkedTo: { sourceSystemKey?: string; externalId?: string } | undefined;
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    const value = single(name, raw);
    if ((LINK_FILTERS as readonly string[]).includes(name)) linkedTo = { ...linkedTo, [name]: value };
    else if (name === 'limit') {
      limit = Number(value);
      if (!/^\d+$/.test(value) || limit < 1 || limit > PAGE_SIZE.max) {
        throw invalidField('query/limit', `must be an integer from 1 to ${PAGE_SIZE.max}`);
      }
    } else if (name === 'cursor') cursor = value;
    else if (scalars.get(name) === 'string') where[name] = value;
    else if (scalars.get(name) === 'number') {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number)) throw invalidField(`query/${name}`, 'must be a number');
      where[name] = String(number);
    } else {
      throw invalidField(`query/${name}`, `is not a filter of ${type}; filter on ${[...scalars.keys(), ...LINK_FILTERS].join(', ')}`);
    }
  }
  return { limit, ...(cursor === undefined ? {} : { cursor }), where, ...(linkedTo && { linkedTo }) };
}

/** Builds the five operations over one store. */
export function createEntityOperations(deps: EntityOperationDeps): Readonly<Record<EntityOperationName, EntityOperation>> {
  const { db, engine } = deps;

  /** Validates a create or patch body; the REST API refuses unknown fields and undefined custom attributes. */
  async function validBody(principal: EntityCaller, type: EntityType, message: unknown, mode: ValidationMode) {
    const definitions: ValueRule[] = await customAttributeDefinitions(db, principal.orgId, type);
    const { data, errors, warnings } = validateEntityData(type, message, mode, definitions);
    const problems = [...errors, ...warnings];
    if (problems.length > 0) throw validationError(underRoot('body', problems));
    return data;
  }

  /** Entities as the API shows them: with `links`, where they came from (one query for them all). */
  async function withLinks(orgId: string, entities: readonly Entity[]): Promise<LinkedEntity[]> {
    const links = await linksOfEntities(db, orgId, entities.map((e) => e.id));
    return entities.map((e) => linked(e, links.get(e.id) ?? []));
  }

  return Object.freeze({
    async list(call) {
      const type = knownType(call.type);
      const orgId = call.principal.orgId;
      const page = await listEntities(db, engine, { orgId, type, ...listQuery(type, call.message) });
      return { status: 200, body: { items: await withLinks(orgId, page.items), nextCursor: page.nextCursor } };
    },

    async get(call) {
      const type = knownType(call.type);
      const id = entityId(call);
      const entity = await findEntity(db, call.principal.orgId, type, id);
      if (!entity) throw notFound(type, id);
      return withEtag(200, (await withLinks(call.principal.orgId, [entity]))[0]!);
    },

    async create(call) {
      const type = knownType(call.type);
      const data = await validBody(call.principal, type, call.message, 'create');
      const entity = await namedInBody(() => createEntity(db, { orgId: call.principal.orgId, type, data, source: sourceOf(call.principal) }));
      // Created through the API: linked to no source system yet.
      return withEtag(201, linked(entity, []), { location: `/v1/entities/${type}/${entity.id}` });
    },

    async update(call) {
      const type = knownType(call.type);
      const id = entityId(call);
      const version = expectedVersion(call.ifMatch);
      const patch = await validBody(call.principal, type, call.message, 'patch');
      const result = await namedInBody(() =>
        updateEntity(db, {
          orgId: call.principal.orgId,
          type,
          id,
          patch,
          source: sourceOf(call.principal),
          ...(version === undefined ? {} : { expectedVersion: version }),
        }),
      );
      if (!result) throw notFound(type, id);
      return withEtag(200, (await withLinks(call.principal.orgId, [result.entity]))[0]!);
    },

    async delete(call) {
      const type = knownType(call.type);
      const id = entityId(call);
      const version = expectedVersion(call.ifMatch);
      const deleted = await deleteEntity(db, {
        orgId: call.principal.orgId,
        type,
        id,
        source: sourceOf(call.principal),
        ...(version === undefined ? {} : { expectedVersion: version }),
      });
      if (!deleted) throw notFound(type, id);
      return { status: 204 };
    },
  } satisfies Record<EntityOperationName, EntityOperation>);
}
