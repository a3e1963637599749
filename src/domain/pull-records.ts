/**
 * The records a PULL page returns (docs/hooks.md, "PULL hooks"), before anything touches the store: the
 * shape of a page, each record's `externalId` and `data`, the declarative `mapping`
 * setting, and "the last one wins" for duplicate external ids.
 */
import { readSegments } from './field-path.js';

/** One record of a page, checked: `externalId` is a string of 1–256 characters. */
export interface PullRecord {
  readonly externalId: string;
  readonly data: Record<string, unknown>;
}

/** A record that could not even be read: reported as `failed` with its reason. */
export interface RejectedRecord {
  /** The record's external id as far as it could be read, or `(none)`. */
  readonly externalId: string;
  readonly error: string;
}

/** What `run(ctx)` returned for one page. */
export interface PageReturn {
  readonly records: readonly unknown[];
  readonly more: boolean;
  readonly meta?: unknown;
}

const MAX_EXTERNAL_ID = 256;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a page's return value; a string when it is not `{ records: [...], more?, meta? }`. */
export function readPageReturn(value: unknown): PageReturn | string {
  if (!isObject(value) || !Array.isArray(value.records)) {
    return 'run(ctx) must return { records: [...], more?, meta? }';
  }
  return { records: value.records, more: value.more === true, ...(value.meta !== undefined && { meta: value.meta }) };
}

/** Checks one record: `{ externalId: string | number, data: object }`; numbers become strings. */
export function readRecord(raw: unknown): PullRecord | RejectedRecord & { readonly rejected: true } {
  const reject = (externalId: string, error: string) => ({ externalId, error, rejected: true as const });
  if (!isObject(raw)) return reject('(none)', 'a record must be an object { externalId, data }');
  const id = raw.externalId;
  let externalId: string;
  if (typeof id === 'string') externalId = id;
  else if (typeof id === 'number' && Number.isFinite(id)) externalId = String(id);
  else return reject('(none)', 'externalId must be a string or a number');
  if (externalId.length === 0 || externalId.length > MAX_EXTERNAL_ID) {
    return reject(externalId.slice(0, MAX_EXTERNAL_ID), `externalId must have 1–${MAX_EXTERNAL_ID} characters`);
  }
  if (!isObject(raw.data)) return reject(externalId, 'data must be an object of entity fields');
  return { externalId, data: raw.data };
}

/** The value at a dotted path (`address.city`, `emails.0`), or undefined. */
export function valueAtPath(source: unknown, path: string): unknown {
  // Mapping paths are not parsed (any key but a dot may be named), only split.
  return readSegments(source, path.split('.'));
}

/**
 * Applies a hook's `mapping` (target field → source path) to a record's data: each
 * target gets the value at its path; top-level source keys a mapping consumed are
 * dropped (so they are not reported as unknown fields); other keys stay as they are.
 *
 * @example applyMapping({ first_name: 'Ada', email: 'a@x' }, { firstName: 'first_name' })
 * // { email: 'a@x', firstName: 'Ada' }
 */
export function applyMapping(data: Readonly<Record<string, unknown>>, mapping: Readonly<Record<string, string>>): Record<string, unknown> {
  const targets = Object.keys(mapping);
  if (targets.length === 0) return { ...data };
  const consumed = new Set(Object.values(mapping).map((path) => path.split('.')[0]!));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (!consumed.has(key) || Object.hasOwn(mapping, key)) out[key] = value;
  for (const target of targets) {
    const value = valueAtPath(data, mapping[target]!);
    if (value !== undefined) out[target] = value;
    else if (!Object.hasOwn(data, target)) delete out[target];
  }
  return out;
}

/**
 * Keeps the last record of each external id, in the order of those last records.
 *
 * @returns the records to process and how many earlier duplicates were dropped.
 */
export function lastOfEach(records: readonly PullRecord[]): { records: PullRecord[]; duplicates: string[] } {
  const last = new Map<string, number>();
  records.forEach((record, i) => last.set(record.externalId, i));
  if (last.size === records.length) return { records: [...records], duplicates: [] };
  const duplicates: string[] = [];
  const kept: PullRecord[] = [];
  records.forEach((record, i) => (last.get(record.externalId) === i ? kept.push(record) : duplicates.push(record.externalId)));
  return { records: kept, duplicates };
}

/** One record's outcome, as `postSubmit` gets it. */
export interface RecordResult {
  readonly externalId: string;
  readonly entityId?: string;
  readonly outcome: 'created' | 'updated' | 'skipped' | 'failed';
  readonly error?: string;
}
