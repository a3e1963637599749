/**
 * Change detection of PULL records (docs/hooks.md, "PULL hooks"): a record's fingerprint is the SHA-256 of
 * its canonical JSON, so the same record always gets the same fingerprint whatever the
 * order of its keys.
 */
import crypto from 'node:crypto';

/** One-shot SHA-256 in hex: `crypto.hash` (Node 20.12+) skips a Hash object per call, a third of a fingerprint's cost. */
const sha256 = (text: string): string =>
  typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');

/**
 * JSON with object keys sorted at every level; `undefined` properties are left out as
 * `JSON.stringify` does, and non-finite numbers become `null`.
 *
 * @example canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  const flat = flatCopy(record, keys);
  if (flat !== undefined) return JSON.stringify(flat);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || typeof item === 'function') continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

/** Up to this many keys are sorted by insertion; more by `Array.prototype.sort` (no quadratic work on a hostile record). */
const INSERTION_SORT_MAX = 32;

/**
 * `record`'s keys in the order `sort()` gives them (UTF-16 code units). A record has a few:
 * sorted in place by insertion they take half the time of `sort()`, which also copies them
 * into a work array first, once for every record a sync fingerprints.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** The fingerprint of a JSON value: hex SHA-256 of its {@link canonicalJson}. */
export function fingerprint(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * A record of scalars (a PULL record's data, mostly) with its keys inserted in sorted
 * order, so that one native `JSON.stringify` writes the canonical text: a third faster
 * than joining it key by key. Undefined when that would not be the same text: a nested
 * value, a value `JSON.stringify` would drop or write as `null`, a key an object orders by
 * itself (integer-like keys come first whatever the insertion order) or `__proto__`.
 */
function flatCopy(record: Record<string, unknown>, sortedKeys: readonly string[]): Record<string, unknown> | undefined {
  const copy: Record<string, unknown> = {};
  for (const key of sortedKeys) {
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === '__proto__') return undefined;
    const item = record[key];
    const type = typeof item;
    if (!(type === 'string' || type === 'boolean' || item === null || (type === 'number' && Number.isFinite(item)))) return undefined;
    copy[key] = item;
  }
  return copy;
}
