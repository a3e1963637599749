/**
 * One page of records into the store, a PULL page or an inbound call's (docs/hooks.md, "PULL hooks"): records
 * are read, validated, fingerprinted and upserted in one transaction, matched on
 * (sourceSystemKey, entity type, externalId). A dry run walks the same path, writes
 * nothing and reports a preview.
 *
 * Costs per page, whatever its size: one query for the page's links, one for the links
 * its references name, one for the entities whose fingerprint changed, and multi-row
 * inserts for new records. Unchanged records cost nothing more.
 *
 * A record whose fingerprint changed but whose merged entity equals the stored one
 * counts as `skipped`: only the link's fingerprint is refreshed, no version, no event.
 * A record with `data.deletedAt` deletes its entity and counts as `updated`.
 */
import type { Kysely } from 'kysely';
import type { ValueRule } from '../../domain/custom-attributes.js';
import type { ChangeSource } from '../../domain/entity-events.js';
import { mergeEntityData, sameJson } from '../../domain/entity-merge.js';
import { entityType, type EntityData, type EntityType } from '../../domain/entity-types.js';
import { validateEntityData } from '../../domain/entity-validation.js';
import { HookyardError } from '../../domain/errors.js';
import type { PreviewItem } from '../../domain/executions.js';
import type { FieldIssue } from '../../domain/field-issues.js';
import { fingerprint } from '../../domain/fingerprint.js';
import { lastOfEach, readRecord, type PullRecord, type RecordResult } from '../../domain/pull-records.js';
import { createEntity, deleteEntity, normalised, updateEntity } from '../../store/entities.js';
import { createEntities } from '../../store/entity-batch.js';
import { findLinks, insertLinks, linkKey, setLinkFingerprint, type ExternalLink, type NewLink } from '../../store/external-links.js';
import type { DialectName } from '../../store/dialect.js';
import type { Database } from '../../store/schema.js';
import { outboxWants } from '../outbox/dispatch.js';

/** What a page is saved for: one hook of one integration, in one organisation. */
export interface PageScope {
  readonly orgId: string;
  readonly integrationId: string;
  readonly hookId: string;
  /** Who the writes are from, in their change events. */
  readonly sourceKind: 'pull' | 'inbound';
  readonly sourceSystemKey: string;
  readonly entityType: EntityType;
  readonly dryRun: boolean;
  /** The store's engine: PostgreSQL looks links up with another query shape. */
  readonly dialect: DialectName;
  /** The custom attribute definitions of the entity type. */
  readonly definitions: readonly ValueRule[];
}


/** What saving a page did. */
export interface PageSave {
  /** One per record returned, in the page's order. */
  readonly results: RecordResult[];
  /** Ignored fields, custom attribute keys and duplicates, per record. */
  readonly warnings: ReadonlyArray<{ readonly externalId: string; readonly message: string }>;
  /** Dry runs only: each record's verdict. */
  readonly preview: PreviewItem[];
}

interface Pending {
  readonly index: number;
  readonly record: PullRecord;
  readonly fingerprint: string;
  readonly link?: ExternalLink;
  /** Validated data, references resolved. */
  data: EntityData;
}

/** Reference fields a sync may fill by external id, per entity type. */
function externalReferences(type: EntityType): ReadonlyArray<{ field: string; idField?: string; targets: readonly EntityType[] }> {
  if (type === 'vacancy') return [{ field: 'filledBy', targets: ['employee', 'contractor'] }];
  return entityType(type).references.map((ref) => ({ field: ref.externalIdField, idField: ref.idField, targets: [ref.target] }));
}

function referencedId(data: EntityData, field: string): string | undefined {
  const value = data[field];
  if (field === 'filledBy') return typeof value === 'object' && value !== null ? ((value as { externalId?: string }).externalId ?? undefined) : undefined;
  return typeof value === 'string' ? value : undefined;
}

const describeIssues = (issues: readonly FieldIssue[]) => issues.map((i) => i.message).join('; ');

function isDeletion(data: Record<string, unknown>): boolean {
  const at = data.deletedAt;
  return at !== undefined && at !== null && at !== false;
}

function changesOf(current: EntityData, next: EntityData): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(current), ...Object.keys(next)])) {
    if (!sameJson(current[key], next[key])) changes[key] = { from: current[key] ?? null, to: next[key] ?? null };
  }
  return changes;
}

/** Errors of our own making (validation, references) fail one record; anything else fails the page. */
function recordError(thrown: unknown): string {
  if (thrown instanceof HookyardError && thrown.status < 500 && thrown.code !== 'HY_VERSION_MISMATCH') return thrown.message;
  throw thrown;
}

/**
 * Saves one page of raw records (as returned by the hook, after flow steps and
 * mapping). Runs in one transaction; a dry run only reads.
 */
export async function savePage(db: Kysely<Database>, scope: PageScope, raw: readonly unknown[]): Promise<PageSave> {
  const results: (RecordResult | undefined)[] = new Array(raw.length);
  const warnings: { externalId: string; message: string }[] = [];
  const preview: (PreviewItem | undefined)[] = new Array(raw.length);
  const fail = (index: number, externalId: string, error: string) => {
    results[index] = { externalId, outcome: 'failed', error };
    preview[index] = { externalId, outcome: 'invalid', error };
  };

  const read: { index: number; record: PullRecord }[] = [];
  raw.forEach((item, index) => {
    const record = readRecord(item);
    if ('rejected' in record) fail(index, record.externalId, record.error);
    else read.push({ index, record });
  });
  const kept = lastOfEach(read.map((r) => r.record));
  const last = new Set(kept.records);
  if (kept.duplicates.length > 0) {
    for (const { index, record } of read) {
      if (last.has(record)) continue;
      results[index] = { externalId: record.externalId, outcome: 'skipped' };
      preview[index] = { externalId: record.externalId, outcome: 'would-skip' };
      warnings.push({ externalId: record.externalId, message: 'duplicate externalId in this execution: the last one wins' });
    }
  }
  const live = kept.duplicates.length === 0 ? read : read.filter(({ record }) => last.has(record));

  const work = async (trx: Kysely<Database>) => {
    const scopeKeys = { orgId: scope.orgId, sourceSystemKey: scope.sourceSystemKey };
    const links = await findLinks(trx, scope.dialect, scopeKeys, [scope.entityType], live.map((r) => r.record.externalId));
    const creates: Pending[] = [];
    const updates: Pending[] = [];
    const deletes: Pending[] = [];
    for (const { index, record } of live) {
      const link = links.get(linkKey(scope.entityType, record.externalId));
      const print = fingerprint(record.data);
      const pending: Pending = { index, record, fingerprint: print, link, data: {} };
      if (isDeletion(record.data)) {
        deletes.push(pending);
        continue;
      }
      if (link !== undefined && link.fingerprint === print) {
        results[index] = { externalId: record.externalId, entityId: link.entityId, outcome: 'skipped' };
        preview[index] = { externalId: record.externalId, outcome: 'would-skip' };
        continue;
      }
      const checked = validateEntityData(scope.entityType, record.data, link ? 'patch' : 'create', scope.definitions);
      for (const warning of checked.warnings) warnings.push({ externalId: record.externalId, message: `ignored: ${warning.message}` });
      if (checked.errors.length > 0) {
        fail(index, record.externalId, describeIssues(checked.errors));
        continue;
      }
      pending.data = checked.data;
      (link ? updates : creates).push(pending);
    }

    const resolvable = await resolveReferences(trx, scope, [...creates, ...updates], fail);
    const toCreate = creates.filter((p) => resolvable.has(p));
    const toUpdate = updates.filter((p) => resolvable.has(p));

    if (scope.dryRun) {
      for (const p of toCreate) {
        results[p.index] = { externalId: p.record.externalId, outcome: 'created' };
        preview[p.index] = { externalId: p.record.externalId, outcome: 'would-create' };
      }
    } else {
      await createAll(trx, scope, toCreate, results, fail);
    }
    await updateAll(trx, scope, toUpdate, results, preview, fail);
    await deleteAll(trx, scope, deletes, results, preview);
  };
  if (scope.dryRun) await work(db);
  else await db.transaction().execute(work);

  return {
    results: results.filter((r): r is RecordResult => r !== undefined),
    warnings,
    preview: scope.dryRun ? preview.filter((p): p is PreviewItem => p !== undefined) : [],
  };
}

/**
 * Resolves `filledBy: { externalId }` and assignment `*ExternalId` fields through the
 * source system's links (one query); records naming an unknown or ambiguous record fail.
 *
 * @returns the records that may be written.
 */
async function resolveReferences(
  trx: Kysely<Database>,
  scope: PageScope,
  pending: readonly Pending[],
  fail: (index: number, externalId: string, error: string) => void,
): Promise<Set<Pending>> {
  const refs = externalReferences(scope.entityType);
  const ok = new Set(pending);
  if (refs.length === 0) return ok;
  const targets = [...new Set(refs.flatMap((r) => r.targets))];
  const wanted = pending.flatMap((p) => refs.map((r) => referencedId(p.data, r.field)).filter((id): id is string => id !== undefined));
  if (wanted.length === 0) return ok;
  const links = await findLinks(trx, scope.dialect, { orgId: scope.orgId, sourceSystemKey: scope.sourceSystemKey }, targets, wanted);
  for (const p of pending) {
    for (const ref of refs) {
      const externalId = referencedId(p.data, ref.field);
      if (externalId === undefined || (ref.idField !== undefined && p.data[ref.idField] !== undefined)) continue;
      const found = ref.targets.map((t) => links.get(linkKey(t, externalId))).filter((l): l is ExternalLink => l !== undefined);
      const what = ref.targets.join(' or ');
      if (found.length !== 1) {
        const why = found.length === 0 ? `is no ${what} known in source system "${scope.sourceSystemKey}"` : `is ambiguous: both a ${what} of source system "${scope.sourceSystemKey}" have it`;
        fail(p.index, p.record.externalId, `${ref.field} "${externalId}" ${why}`);
        ok.delete(p);
        break;
      }
      if (ref.idField !== undefined) p.data = { ...p.data, [ref.idField]: found[0]!.entityId };
    }
  }
  return ok;
}

function sourceOf(scope: PageScope): ChangeSource {
  return { kind: scope.sourceKind, integrationId: scope.integrationId, hookId: scope.hookId };
}

async function createAll(
  trx: Kysely<Database>,
  scope: PageScope,
  creates: readonly Pending[],
  results: (RecordResult | undefined)[],
  fail: (index: number, externalId: string, error: string) => void,
): Promise<void> {
  if (creates.length === 0) return;
  const write = { orgId: scope.orgId, type: scope.entityType, source: sourceOf(scope) };
  const created: { p: Pending; entityId: string }[] = [];
  if (entityType(scope.entityType).references.length === 0) {
    const dispatched = !(await outboxWants(trx, scope.orgId, scope.entityType, 'create'));
    const ids = await createEntities(trx, write, creates.map((p) => p.data), { dispatched });
    ids.forEach((entityId, i) => created.push({ p: creates[i]!, entityId }));
  } else {
    for (const p of creates) {
      try {
        created.push({ p, entityId: (await createEntity(trx, { ...write, data: p.data })).id });
      } catch (thrown) {
        fail(p.index, p.record.externalId, recordError(thrown));
      }
    }
  }
  const links: NewLink[] = created.map(({ p, entityId }) => ({ entityType: scope.entityType, externalId: p.record.externalId, entityId, fingerprint: p.fingerprint }));
  await insertLinks(trx, { orgId: scope.orgId, sourceSystemKey: scope.sourceSystemKey }, links);
  for (const { p, entityId } of created) results[p.index] = { externalId: p.record.externalId, entityId, outcome: 'created' };
}

async function updateAll(
  trx: Kysely<Database>,
  scope: PageScope,
  updates: readonly Pending[],
  results: (RecordResult | undefined)[],
  preview: (PreviewItem | undefined)[],
  fail: (index: number, externalId: string, error: string) => void,
): Promise<void> {
  if (updates.length === 0) return;
  const stored = new Map<string, EntityData>();
  const ids = updates.map((p) => p.link!.entityId);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx.selectFrom('entities').select(['id', 'data']).where('org_id', '=', scope.orgId).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const row of rows) stored.set(row.id, normalised(scope.entityType, JSON.parse(row.data) as EntityData));
  }
  const write = { orgId: scope.orgId, type: scope.entityType, source: sourceOf(scope) };
  for (const p of updates) {
    const { externalId } = p.record;
    const entityId = p.link!.entityId;
    const current = stored.get(entityId);
    if (current === undefined) {
      fail(p.index, externalId, `entity ${entityId} linked to this externalId is gone`);
      continue;
    }
    const merged = normalised(scope.entityType, mergeEntityData(scope.entityType, current, p.data));
    if (sameJson(merged, current)) {
      results[p.index] = { externalId, entityId, outcome: 'skipped' };
      preview[p.index] = { externalId, outcome: 'would-skip' };
      if (!scope.dryRun) await setLinkFingerprint(trx, p.link!.id, p.fingerprint);
      continue;
    }
    if (scope.dryRun) {
      results[p.index] = { externalId, entityId, outcome: 'updated' };
      preview[p.index] = { externalId, outcome: 'would-update', changes: changesOf(current, merged) };
      continue;
    }
    try {
      await updateEntity(trx, { ...write, id: entityId, patch: p.data });
      await setLinkFingerprint(trx, p.link!.id, p.fingerprint);
      results[p.index] = { externalId, entityId, outcome: 'updated' };
    } catch (thrown) {
      fail(p.index, externalId, recordError(thrown));
    }
  }
}

async function deleteAll(
  trx: Kysely<Database>,
  scope: PageScope,
  deletes: readonly Pending[],
  results: (RecordResult | undefined)[],
  preview: (PreviewItem | undefined)[],
): Promise<void> {
  for (const p of deletes) {
    const { externalId } = p.record;
    const entityId = p.link?.entityId;
    if (entityId === undefined) {
      results[p.index] = { externalId, outcome: 'skipped' };
      preview[p.index] = { externalId, outcome: 'would-skip' };
      continue;
    }
    preview[p.index] = { externalId, outcome: 'would-delete' };
    // The link goes with its entity (deleteEntity).
    if (!scope.dryRun) await deleteEntity(trx, { orgId: scope.orgId, type: scope.entityType, source: sourceOf(scope), id: entityId });
    results[p.index] = { externalId, entityId, outcome: 'updated' };
  }
}
