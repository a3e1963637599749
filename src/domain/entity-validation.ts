/**
 * Validation of entity data, the same for every writer: the REST API, PULL syncs,
 * inbound hooks and automations. It needs no Fastify and no database: the caller
 * passes the custom attribute definitions of the entity type.
 */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TObject, TSchema } from '@sinclair/typebox';
import { checkCustomAttributes, type ValueRule } from './custom-attributes.js';
import { entityType, inFieldOrder, type EntityData, type EntityType } from './entity-types.js';
import { issue, type FieldIssue } from './field-issues.js';

export type ValidationMode = 'create' | 'patch';

/** What {@link validateEntityData} found. */
export interface EntityValidation {
  /**
   * The data to write, in field order: unknown fields and custom attribute keys
   * without a definition left out; for a create, defaults filled in; for a patch,
   * `null` marks a field (or custom attribute key) to clear.
   */
  readonly data: EntityData;
  /** Problems that make the data unusable. */
  readonly errors: FieldIssue[];
  /**
   * Unknown fields and custom attribute keys without a definition. Syncs ignore them
   * and log these; the REST API refuses them like errors.
   */
  readonly warnings: FieldIssue[];
}

const checkers = new Map<TObject, TypeCheck<TObject>>();

function checker(schema: TObject): TypeCheck<TObject> {
  let compiled = checkers.get(schema);
  if (!compiled) checkers.set(schema, (compiled = TypeCompiler.Compile(schema)));
  return compiled;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy without `null` properties: below the top level, `null` means absent. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutNulls(v)]])));
}

function describe(error: ValueError): string {
  const schema: TSchema = error.schema;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Number:
      return 'must be a number';
    case ValueErrorType.Integer:
      return 'must be an integer';
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${schema.minimum}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${schema.maximum}`;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? 'must not be empty' : `must have at least ${schema.minLength} characters`;
    case ValueErrorType.StringMaxLength:
      return `must have at most ${schema.maxLength} characters`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${schema.maxItems} items`;
    case ValueErrorType.Union: {
      const values = (schema.anyOf as TSchema[]).map((v) => v.const);
      if (values.every((v) => typeof v === 'string')) return `must be one of ${values.join(', ')}`;
      break;
    }
  }
  return schema.description ? `must be ${schema.description}` : error.message;
}

/** Removes the property at a slash path (`/teamAllocations/0/note`) of data we own. */
function removeAt(data: unknown, path: string): void {
  const keys = path.split('/').slice(1);
  const last = keys.pop()!;
  let node: unknown = data;
  for (const key of keys) node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  if (isObject(node)) delete node[last];
}

/**
 * Checks entity data of `type` for a create (required fields, defaults) or a patch
 * (fields present are set, `null` clears an optional field).
 *
 * @example
 * const { data, errors, warnings } = validateEntityData('vacancy', { role: 'SRE' }, 'create', definitions);
 * // data: { role: 'SRE', status: 'open', fte: 1 }
 */
export function validateEntityData(
  type: EntityType,
  input: unknown,
  mode: ValidationMode,
  customAttributeDefinitions: readonly ValueRule[],
): EntityValidation {
  if (!isObject(input)) return { data: {}, errors: [issue('', `must be a JSON object of ${type} fields`)], warnings: [] };
  const definition = entityType(type);
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const present: EntityData = {};
  const cleared: EntityData = {};

  for (const key of Object.keys(input)) {
    const value = input[key];
    if (!(key in definition.create.properties)) warnings.push(issue(key, `is not a field of ${type}`));
    else if (key === 'customAttributes') {
      if (isObject(value)) {
        const checked = checkCustomAttributes(value, customAttributeDefinitions, mode);
        errors.push(...checked.errors);
        warnings.push(...checked.warnings);
        present[key] = checked.values;
      } else if (value !== null) errors.push(issue(key, 'must be an object'));
      else if (mode === 'patch') cleared[key] = null;
    } else if (value !== null) present[key] = withoutNulls(value);
    else if (definition.required.has(key)) errors.push(issue(key, mode === 'create' ? 'is required' : 'is required and cannot be cleared'));
    else if (mode === 'patch') cleared[key] = null;
  }

  const { customAttributes, ...fields } = present;
  const check = checker(mode === 'create' ? definition.create : definition.patch);
  // Listing errors costs ten times a check; most data has none (a sync's thousands of records),
  // and for those nothing more is built.
  if (!check.Check(fields)) {
    const seen = new Set(errors.map((e) => `/${e.path}`));
    for (const error of check.Errors(fields)) {
      if (seen.has(error.path)) continue;
      seen.add(error.path);
      const path = error.path.slice(1);
      if (error.type === ValueErrorType.ObjectAdditionalProperties) {
        warnings.push(issue(path, 'is not a known field'));
        removeAt(fields, error.path);
      } else errors.push(issue(path, describe(error)));
    }
  }

  const data = inFieldOrder(type, {
    ...(mode === 'create' ? definition.defaults : {}),
    ...fields,
    ...cleared,
    ...(customAttributes === undefined ? {} : { customAttributes }),
  });
  if (mode === 'create') errors.push(...definition.rules(data));
  return { data, errors, warnings };
}
