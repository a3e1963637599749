/**
 * Custom attributes: per organisation and entity type, a definition (`key`, `label`,
 * `type`, enum `options`) against which entities' `customAttributes` values are checked.
 */
import { Type } from '@sinclair/typebox';
import { isIsoDate } from './dates.js';
import { ENTITY_TYPES, type EntityType } from './entity-types.js';
import { issue, type FieldIssue } from './field-issues.js';

export const CUSTOM_ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;
export type CustomAttributeType = (typeof CUSTOM_ATTRIBUTE_TYPES)[number];

/** A definition as the API shows it. `options` is the list of allowed values of an enum, else null. */
export interface CustomAttributeDefinition {
  readonly id: string;
  readonly entityType: EntityType;
  readonly key: string;
  readonly label: string;
  readonly type: CustomAttributeType;
  readonly options: string[] | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a value check needs of a definition. */
export type ValueRule = Pick<CustomAttributeDefinition, 'key' | 'type' | 'options'>;

const options = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 500, uniqueItems: true });

/** Body of `POST /v1/custom-attributes`. */
export const CustomAttributeCreate = Type.Object(
  {
    entityType: Type.Union(ENTITY_TYPES.map((t) => Type.Literal(t))),
    key: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$', description: 'a letter, then letters, digits or _; at most 64' }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Union(CUSTOM_ATTRIBUTE_TYPES.map((t) => Type.Literal(t))),
    options: Type.Optional(options),
  },
  { additionalProperties: false },
);

/** Body of `PATCH /v1/custom-attributes/{id}`: the key, entity type and type never change. */
export const CustomAttributePatch = Type.Object(
  { label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), options: Type.Optional(options) },
  { additionalProperties: false },
);

/** `options` belong to enums, and enums need them. */
export function checkDefinitionOptions(type: CustomAttributeType, given: readonly string[] | null | undefined): FieldIssue[] {
  if (type === 'enum' && !given) return [issue('options', 'is required for an enum attribute')];
  if (type !== 'enum' && given) return [issue('options', `is only for enum attributes; this one is ${type}`)];
  return [];
}

const VALUE_CHECKS: Readonly<Record<CustomAttributeType, (value: unknown, rule: ValueRule) => string | undefined>> = {
  string: (v) => (typeof v === 'string' ? undefined : 'must be a string'),
  number: (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'must be a number'),
  boolean: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  date: (v) => (isIsoDate(v) ? undefined : 'must be a real date as YYYY-MM-DD'),
  enum: (v, rule) => (typeof v === 'string' && rule.options?.includes(v) ? undefined : `must be one of ${rule.options?.join(', ')}`),
};

/** The outcome of checking `customAttributes`: the values kept, and what was wrong. */
export interface CustomAttributeCheck {
  readonly values: Record<string, unknown>;
  readonly errors: FieldIssue[];
  /** Keys without a definition; they are left out of `values`. */
  readonly warnings: FieldIssue[];
}

/**
 * Checks `customAttributes` values against the definitions of the entity type.
 * `null` removes a key in a patch (with or without a definition) and is dropped from a create.
 */
export function checkCustomAttributes(
  values: Readonly<Record<string, unknown>>,
  rules: readonly ValueRule[],
  mode: 'create' | 'patch',
): CustomAttributeCheck {
  const byKey = new Map(rules.map((r) => [r.key, r]));
  const kept: Record<string, unknown> = {};
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = `customAttributes/${key}`;
    const rule = byKey.get(key);
    if (value === null) {
      // Removing is always allowed, also a value whose definition was deleted since.
      if (mode === 'patch') kept[key] = null;
      continue;
    }
    if (!rule) {
      warnings.push(issue(path, 'has no custom attribute definition'));
      continue;
    }
    const problem = VALUE_CHECKS[rule.type](value, rule);
    if (problem) errors.push(issue(path, problem));
    else kept[key] = value;
  }
  return { values: kept, errors, warnings };
}
