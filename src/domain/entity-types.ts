/**
 * The five entity types (docs/data-model.md), registered in one table. Each entry carries the
 * TypeBox schema of a create and of a patch, the defaults a create gets, the links to
 * other entities and the rules that span several fields. Validation, filters, the REST
 * routes and their OpenAPI are all derived from this table.
 */
import { FormatRegistry, Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { isIsoDate } from './dates.js';
import type { FieldIssue } from './field-issues.js';

FormatRegistry.Set('date', isIsoDate);

export const ENTITY_TYPES = ['employee', 'vacancy', 'contractor', 'project', 'assignment'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** An entity's own fields and `customAttributes`, as stored and as a create sends them. */
export type EntityData = Record<string, unknown>;

/**
 * A link to another entity, held either by Hookyard id or by an external id that a
 * sync resolves within its sourceSystemKey (see `resolveExternalReference`).
 */
export interface EntityReference {
  /** The field holding the Hookyard id, e.g. `employeeId`. */
  readonly idField: string;
  /** The field holding the external id, e.g. `employeeExternalId`. */
  readonly externalIdField: string;
  readonly target: EntityType;
}

/** The kind of value a top-level field holds, when it is a scalar one can filter on. */
export type ScalarKind = 'string' | 'number';

/** One registered entity type. */
export interface EntityTypeDefinition {
  readonly type: EntityType;
  /** Body of a create: required fields required, unknown fields refused. */
  readonly create: TObject;
  /** Body of a patch: every field optional (`null` clearing is handled before the schema). */
  readonly patch: TObject;
  /** Every top-level field in schema order, `customAttributes` last. */
  readonly fields: readonly string[];
  /** Top-level fields a create must have. */
  readonly required: ReadonlySet<string>;
  /** Values a create gets for absent fields (from the schemas' `default`). */
  readonly defaults: Readonly<EntityData>;
  /** Top-level scalar fields, the ones a list can filter on. */
  readonly scalars: ReadonlyMap<string, ScalarKind>;
  readonly references: readonly EntityReference[];
  /** Checks that span fields, run on a whole record: a create, or a patch merged into its entity. */
  readonly rules: (data: Readonly<EntityData>) => FieldIssue[];
}

const text = (maxLength = 2000) => Type.String({ maxLength });
const name = (maxLength = 200) => Type.String({ minLength: 1, maxLength });
const dateField = (description = 'a real date as YYYY-MM-DD') =>
  Type.String({ format: 'date', description, example: '2025-01-31' });
const date = dateField();
const currencyCode = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'an ISO 4217 currency code of 3 upper-case letters',
  example: 'EUR',
});
const amount = Type.Number({ minimum: 0 });
const email = Type.String({ maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$', description: 'an email address' });
const hookyardId = Type.String({ minLength: 1, maxLength: 100, description: 'the Hookyard id of the entity' });
const externalId = Type.String({ minLength: 1, maxLength: 256, description: 'the id in the source system; resolved by syncs' });
const oneOf = (values: readonly string[], options: { default?: string } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), options);

const customAttributes = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
  description: 'values keyed by custom attribute definition key; checked against the definitions',
});

const teamAllocation = Type.Object(
  { teamName: name(), fte: Type.Number({ minimum: 0, maximum: 1 }), startDate: date, endDate: Type.Optional(date) },
  { additionalProperties: false },
);
const salaryAdjustment = Type.Object(
  { effectiveDate: date, amount: Type.Number(), currencyCode, reason: Type.Optional(text()) },
  { additionalProperties: false },
);
const jobRole = Type.Union(
  [name(), Type.Object({ title: name(), externalId: Type.Optional(externalId) }, { additionalProperties: false })],
  { description: 'a job title, or an object { title, externalId? }' },
);

/** A create schema: `required` fields must be there, the others may be. */
function entitySchema(title: string, required: TProperties, optional: TProperties): TObject {
  const fields: TProperties = { ...required };
  for (const [key, schema] of Object.entries({ ...optional, customAttributes })) fields[key] = Type.Optional(schema);
  return Type.Object(fields, { title, additionalProperties: false });
}

function scalarKind(schema: TSchema): ScalarKind | undefined {
  if (schema.type === 'string') return 'string';
  if (schema.type === 'number' || schema.type === 'integer') return 'number';
  const variants = schema.anyOf as TSchema[] | undefined;
  if (variants?.every((v) => typeof v.const === 'string')) return 'string';
  return undefined;
}

function define(
  type: EntityType,
  create: TObject,
  options: { references?: EntityReference[]; rules?: EntityTypeDefinition['rules'] } = {},
): EntityTypeDefinition {
  const properties = Object.entries(create.properties);
  return Object.freeze({
    type,
    create,
    patch: Type.Partial(create, { title: `${create.title}Patch` }),
    fields: Object.freeze(properties.map(([k]) => k)),
    required: new Set(create.required ?? []),
    defaults: Object.fromEntries(properties.filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default])),
    scalars: new Map(properties.flatMap(([k, s]) => (scalarKind(s) ? [[k, scalarKind(s)!] as const] : []))),
    references: options.references ?? [],
    rules: options.rules ?? (() => []),
  });
}

const ASSIGNMENT_WORKERS: EntityReference[] = (['employee', 'contractor', 'vacancy'] as const).map((target) => ({
  idField: `${target}Id`,
  externalIdField: `${target}ExternalId`,
  target,
}));
const ASSIGNMENT_PROJECT: EntityReference = { idField: 'projectId', externalIdField: 'projectExternalId', target: 'project' };
const holds = (data: Readonly<EntityData>, ref: EntityReference) =>
  data[ref.idField] !== undefined || data[ref.externalIdField] !== undefined;

/** An assignment links exactly one worker (employee, contractor or vacancy) to one project. */
function assignmentRules(data: Readonly<EntityData>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const workers = ASSIGNMENT_WORKERS.filter((ref) => holds(data, ref));
  if (workers.length !== 1) {
    const found = workers.length === 0 ? 'none' : workers.map((ref) => ref.target).join(' and ');
    issues.push({
      path: 'employeeId',
      message: `an assignment needs exactly one of employeeId, contractorId or vacancyId (or its *ExternalId form); it has ${found}`,
    });
  }
  if (!holds(data, ASSIGNMENT_PROJECT)) {
    issues.push({ path: 'projectId', message: 'projectId is required (or projectExternalId)' });
  }
  return issues;
}

const DEFINITIONS: readonly EntityTypeDefinition[] = [
  define(
    'employee',
    entitySchema(
      'Employee',
      { firstName: name(), lastName: name(), email },
      {
        internalEmployeeId: name(),
        startDate: date,
        endDate: date,
        jobRole,
        teamAllocations: Type.Array(teamAllocation, { maxItems: 1000 }),
        salaryAdjustments: Type.Array(salaryAdjustment, { maxItems: 1000 }),
      },
    ),
  ),
  define(
    'vacancy',
    entitySchema(
      'Vacancy',
      { role: name() },
      {
        description: text(10_000),
        status: oneOf(['open', 'filled', 'cancelled', 'on_hold'], { default: 'open' }),
        fte: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
        targetStartDate: date,
        targetFillDate: date,
        salaryMin: amount,
        salaryMax: amount,
        currencyCode,
        filledBy: Type.Object({ externalId }, { additionalProperties: false, description: 'the employee or contractor who filled it' }),
      },
    ),
  ),
  define(
    'contractor',
    entitySchema(
      'Contractor',
      { name: name() },
      {
        email,
        contractorType: Type.String({ minLength: 1, maxLength: 100, description: 'individual, agency, consultancy, or any other kind' }),
        rateType: oneOf(['hourly', 'daily', 'monthly']),
        rate: amount,
        currencyCode,
        startDate: date,
        endDate: date,
      },
    ),
  ),
  define(
    'project',
    entitySchema(
      'Project',
      { name: name() },
      {
        description: text(10_000),
        projectCode: name(100),
        status: name(100),
        priority: Type.Integer({ default: 0, description: 'lower is more important' }),
        estimatedCost: amount,
        // Not in the listed fields, but money needs its currency (a money amount is a number with a currencyCode).
        currencyCode,
        startDate: date,
        endDate: date,
      },
    ),
  ),
  define(
    'assignment',
    entitySchema(
      'Assignment',
      {},
      {
        ...Object.fromEntries(
          [...ASSIGNMENT_WORKERS, ASSIGNMENT_PROJECT].flatMap((ref) => [
            [ref.idField, hookyardId],
            [ref.externalIdField, externalId],
          ]),
        ),
        role: name(),
        fte: Type.Number({ minimum: 0, maximum: 10 }),
        startDate: date,
        endDate: dateField('a real date as YYYY-MM-DD; absent or null: ongoing'),
      },
    ),
    { references: [...ASSIGNMENT_WORKERS, ASSIGNMENT_PROJECT], rules: assignmentRules },
  ),
];

const REGISTRY: ReadonlyMap<string, EntityTypeDefinition> = new Map(DEFINITIONS.map((d) => [d.type, d]));

export function isEntityType(value: unknown): value is EntityType {
  return typeof value === 'string' && REGISTRY.has(value);
}

/** The registered definition of an entity type. */
export function entityType(type: EntityType): EntityTypeDefinition {
  return REGISTRY.get(type)!;
}

/** `data` with its keys in the order of the type's schema, so stored JSON reads the same every time. */
export function inFieldOrder(type: EntityType, data: Readonly<EntityData>): EntityData {
  const ordered: EntityData = {};
  for (const key of entityType(type).fields) {
    if (data[key] !== undefined) ordered[key] = data[key];
  }
  return ordered;
}
