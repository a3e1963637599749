/**
 * Request and response schemas of `/v1/automations`. Bodies are checked here only in
 * their outline (the top-level fields and the trigger type); every deeper rule — ops,
 * field paths, templates, params, schedule cards — is the definition validator's, which
 * names the failing place (`body/actions/0/cases/1/params/subject`).
 */
import { Type } from '@sinclair/typebox';
import { ACTION_TYPES, AUTOMATION_TRIGGER_TYPES } from '../domain/automations.js';
import { CHANGE_TYPES } from '../domain/entity-events.js';
import { ENTITY_TYPES } from '../domain/entity-types.js';
import { HTTP_METHODS } from '../domain/hooks.js';
import { VERIFY_SCHEMES } from '../domain/webhook-verification.js';
import { stringEnum } from './schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 2000 });

const ConditionDoc = Type.Unknown({
  description: 'all / any / not over { field, op, value }, nested freely; ops eq ne gt gte lt lte contains startsWith endsWith in exists changed matches',
});

/** A trigger as written: its type, and the fields of that type (checked by the validator). */
const TriggerIn = Type.Object(
  { type: stringEnum(AUTOMATION_TRIGGER_TYPES) },
  {
    additionalProperties: true,
    description:
      'entity: { entityType, events? }; inbound: { method?, path, verify?: { scheme, secret (write-only), … } }; schedule: { schedule: a schedule card }; manual: {}',
  },
);

const ActionIn = Type.Object(
  { type: stringEnum(ACTION_TYPES) },
  { additionalProperties: true, description: '{ type, name?, params? | cases: [{ when, params } …, { else: true, params }], onError?: "stop" | "continue" }' },
);

const definitionFields = {
  name: Name,
  description: Type.Optional(Description),
  enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
  trigger: TriggerIn,
  conditions: Type.Optional(ConditionDoc),
  actions: Type.Array(ActionIn, { maxItems: 50 }),
};

const EXAMPLE = {
  name: 'Welcome new engineers',
  trigger: { type: 'entity', entityType: 'employee', events: ['create'] },
  conditions: { all: [{ field: 'after.customAttributes.department', op: 'eq', value: 'Engineering' }] },
  actions: [{ type: 'log', name: 'note', params: { level: 'info', message: 'New engineer: {{after.firstName}} {{after.lastName}}' } }],
};

/** POST and PUT: a whole definition. */
export const AutomationBody = Type.Object(definitionFields, { additionalProperties: false, examples: [EXAMPLE] });

/** PATCH: fields present replace the stored ones; null clears description or conditions. */
export const AutomationPatch = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    trigger: Type.Optional(TriggerIn),
    conditions: Type.Optional(Type.Union([ConditionDoc, Type.Null()])),
    actions: Type.Optional(definitionFields.actions),
  },
  { additionalProperties: false, examples: [{ enabled: false }] },
);

const VerifyOut = Type.Object(
  {
    scheme: stringEnum(VERIFY_SCHEMES),
    header: Type.Optional(Type.String()),
    algorithm: Type.Optional(stringEnum(['sha256', 'sha1'] as const)),
    encoding: Type.Optional(stringEnum(['hex', 'base64'] as const)),
    prefix: Type.Optional(Type.String()),
  },
  { additionalProperties: false, description: 'the secret is never shown' },
);

const TriggerOut = Type.Union(
  [
    Type.Object({ type: Type.Literal('entity'), entityType: stringEnum(ENTITY_TYPES), events: Type.Optional(Type.Array(stringEnum(CHANGE_TYPES))) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('inbound'), method: Type.Optional(stringEnum(HTTP_METHODS)), path: Type.String(), verify: Type.Optional(VerifyOut) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('schedule'), schedule: Type.Record(Type.String(), Type.Unknown(), { description: 'a schedule card' }) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('manual') }, { additionalProperties: false }),
  ],
  { title: 'AutomationTrigger' },
);

const ActionOut = Type.Object(
  {
    type: stringEnum(ACTION_TYPES),
    name: Type.Optional(Type.String()),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    cases: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown(), { description: '{ when, params } or { else: true, params }' }))),
    onError: Type.Optional(stringEnum(['stop', 'continue'] as const)),
  },
  { additionalProperties: false, title: 'AutomationAction' },
);

/** An automation as the API answers it. */
export const AutomationOut = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    enabled: Type.Boolean(),
    trigger: TriggerOut,
    conditions: Type.Optional(ConditionDoc),
    actions: Type.Array(ActionOut),
    version: Type.Integer({ minimum: 1, description: 'incremented by every change' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'Automation' },
);

/** `POST /v1/automations/{id}/test`: the fixture the dry run reads. */
export const AutomationTestBody = Type.Object(
  {
    before: Type.Optional(Type.Unknown({ description: 'the entity before the change (entity triggers)' })),
    after: Type.Optional(Type.Unknown({ description: 'the entity after the change (entity triggers)' })),
    event: Type.Optional(Type.Unknown({ description: 'the whole entity event' })),
    trigger: Type.Optional(Type.Unknown({ description: 'inbound: { method, path, headers, query, body }; manual: { body }; schedule: { slot }' })),
  },
  { additionalProperties: false, examples: [{ after: { firstName: 'Ada', lastName: 'Lovelace', customAttributes: { department: 'Engineering' } } }] },
);

/** `GET /v1/automations/{id}/schedule`: the next run times. */
export const ScheduleOut = Type.Object(
  { runs: Type.Array(Type.String({ description: 'ISO 8601 with the offset of the time zone, e.g. 2026-12-01T09:00:00+01:00' })) },
  { additionalProperties: false, title: 'AutomationSchedule' },
);
