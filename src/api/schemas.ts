/** Request and response schemas shared by several route groups. */
import { Type, type TSchema } from '@sinclair/typebox';
import { ACTION_TYPES, CONDITION_OPS } from '../domain/automations.js';
import { EXECUTION_STATUSES, TRIGGERS } from '../domain/executions.js';

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** `?limit=&cursor=` of every list endpoint. */
export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
});

/** A string that is one of `values` (a plain `enum` in OpenAPI). */
export function stringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A page of a hook's or an automation's executions: newest first, optionally of one status and one trigger. */
export const ExecutionListQuery = Type.Composite([
  ListQuery,
  Type.Object({ status: Type.Optional(stringEnum(EXECUTION_STATUSES)), trigger: Type.Optional(stringEnum(TRIGGERS)) }),
]);

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Counts = Type.Object(
  { processed: Type.Integer(), created: Type.Integer(), updated: Type.Integer(), skipped: Type.Integer(), failed: Type.Integer() },
  { additionalProperties: false, title: 'Counts', description: 'what a run did (a record deleted by a sync counts as updated)' },
);
const DryRunCounts = Type.Object(
  {
    processed: Type.Integer(),
    wouldCreate: Type.Integer(),
    wouldUpdate: Type.Integer(),
    wouldDelete: Type.Integer(),
    wouldSkip: Type.Integer(),
    invalid: Type.Integer(),
  },
  { additionalProperties: false, title: 'DryRunCounts', description: 'what a dry run would have done, of every record' },
);

/** One condition of an automation run, as it was evaluated. */
const ConditionStep = Type.Object(
  {
    kind: Type.Literal('condition'),
    path: Type.String({ description: 'where it sits in the automation: conditions/all/0, actions/0/cases/1/when' }),
    field: Type.Optional(Type.String()),
    op: Type.Optional(stringEnum([...CONDITION_OPS, 'all', 'any', 'not'] as const)),
    expected: Type.Optional(Type.Unknown()),
    actual: Type.Optional(Type.Unknown()),
    before: Type.Optional(Type.Unknown({ description: 'changed: the field before' })),
    result: Type.Boolean(),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false, title: 'ConditionStep' },
);

/** One action of an automation run: the case it chose and how it ended. */
const ActionStep = Type.Object(
  {
    kind: Type.Literal('action'),
    path: Type.String({ description: 'actions/0' }),
    type: stringEnum(ACTION_TYPES),
    name: Type.Optional(Type.String()),
    case: Type.Union([Type.Integer({ minimum: 0 }), stringEnum(['else', 'params'] as const), Type.Null()], {
      description: 'the index of the case that ran, "else", "params" (an action without cases), or null when no case matched',
    }),
    status: stringEnum(['completed', 'failed', 'skipped'] as const),
    durationMs: Type.Number({ minimum: 0 }),
    params: Type.Optional(Type.Unknown({ description: 'the params after rendering, secrets redacted' })),
    responseStatus: Type.Optional(Type.Integer()),
    response: Type.Optional(Type.Unknown()),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false, title: 'ActionStep' },
);

/** The record of one run (§ Executions of docs/hooks.md). */
export const Execution = Type.Object(
  {
    id: Type.String(),
    hookId: Nullable(Type.String()),
    automationId: Nullable(Type.String()),
    status: stringEnum(EXECUTION_STATUSES),
    trigger: stringEnum(TRIGGERS),
    dryRun: Type.Boolean(),
    attempt: Type.Integer({ minimum: 1 }),
    startedAt: Nullable(Time),
    finishedAt: Nullable(Time),
    durationMs: Nullable(Type.Integer({ minimum: 0 })),
    pages: Type.Integer({ minimum: 0 }),
    counts: Type.Union([Counts, DryRunCounts], { description: 'DryRunCounts when dryRun is true' }),
    logs: Type.Array(
      Type.Object(
        { ts: Time, level: stringEnum(['debug', 'info', 'warn', 'error'] as const), message: Type.String(), data: Type.Optional(Type.Unknown()) },
        { additionalProperties: false },
      ),
    ),
    http: Type.Array(
      Type.Object(
        {
          method: Type.String(),
          url: Type.String({ description: 'secrets redacted' }),
          status: Type.Integer({ description: '0 when no response arrived' }),
          durationMs: Type.Number({ minimum: 0 }),
          requestBytes: Type.Integer({ minimum: 0 }),
          responseBytes: Type.Integer({ minimum: 0 }),
          error: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    error: Type.Optional(
      Type.Object(
        {
          message: Type.String(),
          stack: Type.Optional(Type.String()),
          line: Type.Optional(Type.Integer()),
          column: Type.Optional(Type.Integer()),
          limit: Type.Optional(Type.String({ description: 'the limit that was hit' })),
          page: Type.Optional(Type.Integer({ description: 'the page of a pull execution that failed' })),
        },
        { additionalProperties: false },
      ),
    ),
    preview: Type.Optional(
      Type.Array(
        Type.Object(
          {
            externalId: Type.String(),
            outcome: stringEnum(['would-create', 'would-update', 'would-skip', 'would-delete', 'invalid'] as const),
            changes: Type.Optional(Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() }))),
            error: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        { description: 'dry runs of pull hooks: each record’s verdict' },
      ),
    ),
    steps: Type.Optional(Type.Array(Type.Union([ConditionStep, ActionStep]), { description: 'automation runs: conditions, cases and actions in order' })),
    createdAt: Time,
  },
  { additionalProperties: false, title: 'Execution' },
);

/** `{ executionId }` of a queued run (202). */
export const Queued = Type.Object({ executionId: Type.String() }, { additionalProperties: false, title: 'QueuedRun' });
