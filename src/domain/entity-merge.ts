/**
 * PATCH semantics, shared by the REST API and syncs (docs/hooks.md, "PULL hooks"; docs/api.md): fields present
 * are set, `null` clears, absent fields stay. `customAttributes` merge key by key.
 */
import { inFieldOrder, type EntityData, type EntityType } from './entity-types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeCustomAttributes(current: unknown, patch: unknown): Record<string, unknown> {
  if (patch === null) return {};
  const merged: Record<string, unknown> = { ...(isObject(current) ? current : {}) };
  for (const [key, value] of Object.entries(isObject(patch) ? patch : {})) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * The entity data after a validated patch. Arrays and nested objects are replaced as
 * a whole; `customAttributes` keys are set one by one (`null` removes a key, a
 * `null` object removes them all).
 */
export function mergeEntityData(type: EntityType, current: Readonly<EntityData>, patch: Readonly<EntityData>): EntityData {
  const merged: EntityData = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'customAttributes') merged[key] = mergeCustomAttributes(current[key], value);
    else if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return inFieldOrder(type, merged);
}

/** Deep equality of JSON values; object key order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameJson(a[k], b[k]));
}
