/**
 * `/v1/integrations/{id}/hooks` and `/v1/hooks/{id}`: hook definitions. Code is
 * compiled on save, so a syntax error is refused with its line and column.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CHANGE_TYPES } from '../../domain/entity-events.js';
import { ENTITY_TYPES } from '../../domain/entity-types.js';
import { HookyardError, invalidField, notFound, validationError } from '../../domain/errors.js';
import { underRoot } from '../../domain/field-issues.js';
import { HMAC_ALGORITHMS, HMAC_ENCODINGS, VERIFY_LIMITS, VERIFY_SCHEMES } from '../../domain/webhook-verification.js';
import {
  FLOW_STEPS,
  isSigningSecret,
  API_OPERATIONS,
  HOOK_TYPES,
  HTTP_METHODS,
  LANGUAGES,
  SCHEDULE_INTERVALS,
  SETTING_KEYS,
  checkHookDraft,
  type Hook,
  type HookDraft,
} from '../../domain/hooks.js';
import { claimInboundPath } from '../../engine/inbound/inbound-paths.js';
import { checkSource } from '../../sandbox/index.js';
import { deleteHook, findHook, insertHook, listHooksOfIntegration, updateHook, type HookInput } from '../../store/hooks.js';
import { findIntegration } from '../../store/integrations.js';
import type { AppDeps } from '../deps.js';
import { NoContent, Page, responses } from '../openapi.js';
import { IdParams, ListQuery, stringEnum } from '../schemas.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/** Fields a PATCH may set; `null` clears a setting. */
const HookFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  entityType: nullable(stringEnum(ENTITY_TYPES)),
  runtime: Type.Optional(stringEnum(['code', 'remote'] as const)),
  code: nullable(Type.String({ maxLength: 512 * 1024 })),
  remote: nullable(
    Type.Object(
      {
        url: Type.String({ maxLength: 2048, description: 'https URL that receives the signed POST' }),
        secret: Type.Optional(Type.String({ maxLength: 512, description: 'signing secret, "whsec_" + base64 of 24-64 random bytes; write-only. A new one keeps the old one valid for 24 hours' })),
        steps: Type.Optional(Type.Array(stringEnum(FLOW_STEPS), { uniqueItems: true, description: 'flow steps the remote server implements (pull, inbound)' })),
      },
      { additionalProperties: false },
    ),
  ),
  enabled: Type.Optional(Type.Boolean()),
  language: nullable(stringEnum(LANGUAGES)),
  schedule: nullable(
    Type.Object(
      { interval: stringEnum(SCHEDULE_INTERVALS), preferredHour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23, description: 'default 0' })) },
      { additionalProperties: false },
    ),
  ),
  changeTypes: nullable(Type.Array(stringEnum(CHANGE_TYPES), { minItems: 1, uniqueItems: true })),
  operations: nullable(Type.Array(stringEnum(API_OPERATIONS), { uniqueItems: true })),
  order: nullable(Type.Integer({ minimum: -1000, maximum: 1000 })),
  method: nullable(stringEnum(HTTP_METHODS)),
  path: nullable(Type.String({ maxLength: 200 })),
  params: nullable(Type.Record(Type.String(), Type.Unknown())),
  mapping: nullable(Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 500 }))),
  retry: nullable(Type.Object({ attempts: Type.Integer({ minimum: 1, maximum: 10 }) }, { additionalProperties: false })),
  onError: nullable(stringEnum(['fail', 'continue'] as const)),
  verify: nullable(
    Type.Object(
      {
        scheme: stringEnum(VERIFY_SCHEMES),
        secret: Type.Optional(Type.String({ minLength: 1, maxLength: VERIFY_LIMITS.secret, description: 'write-only; standard-webhooks: "whsec_" + base64' })),
        header: Type.Optional(Type.String({ minLength: 1, maxLength: VERIFY_LIMITS.header, description: 'hmac: the header with the signature' })),
        algorithm: Type.Optional(stringEnum(HMAC_ALGORITHMS)),
        encoding: Type.Optional(stringEnum(HMAC_ENCODINGS)),
        prefix: Type.Optional(Type.String({ maxLength: VERIFY_LIMITS.prefix, description: 'hmac: text before the signature, e.g. "sha256="' })),
      },
      { additionalProperties: false, description: 'inbound: how a call is verified before the hook runs' },
    ),
  ),
};

const CreateHook = Type.Object(
  { ...HookFields, type: stringEnum(HOOK_TYPES) },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Log changes',
        type: 'push',
        entityType: 'employee',
        changeTypes: ['create'],
        code: 'async function run(ctx) {\n  ctx.log.info(`${ctx.event.changeType} ${ctx.event.after.email}`);\n}\n',
      },
    ],
  },
);
const PatchHook = Type.Partial(Type.Object(HookFields), { additionalProperties: false, examples: [{ changeTypes: ['create', 'update'], params: { channel: 'hr' } }] });

/** A hook as the API answers it; settings that do not apply to its type are absent. */
const HookOut = Type.Object(
  {
    id: Type.String(),
    integrationId: Type.String(),
    name: Type.String(),
    type: stringEnum(HOOK_TYPES),
    entityType: Type.Union([stringEnum(ENTITY_TYPES), Type.Null()]),
    runtime: stringEnum(['code', 'remote'] as const),
    code: Type.Optional(Type.String()),
    remote: Type.Optional(Type.Object({ url: Type.String(), steps: Type.Optional(Type.Array(stringEnum(FLOW_STEPS))) }, { additionalProperties: false, description: 'the signing secret is never shown' })),
    enabled: Type.Boolean(),
    language: Type.Optional(stringEnum(LANGUAGES)),
    schedule: Type.Optional(Type.Object({ interval: stringEnum(SCHEDULE_INTERVALS), preferredHour: Type.Integer({ minimum: 0, maximum: 23 }) }, { additionalProperties: false })),
    changeTypes: Type.Optional(Type.Array(stringEnum(CHANGE_TYPES))),
    operations: Type.Optional(Type.Array(stringEnum(API_OPERATIONS))),
    order: Type.Optional(Type.Integer()),
    method: Type.Optional(stringEnum(HTTP_METHODS)),
    path: Type.Optional(Type.String()),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    mapping: Type.Optional(Type.Record(Type.String(), Type.String())),
    retry: Type.Optional(Type.Object({ attempts: Type.Integer() }, { additionalProperties: false })),
    onError: Type.Optional(stringEnum(['fail', 'continue'] as const)),
    verify: Type.Optional(
      Type.Object(
        {
          scheme: stringEnum(VERIFY_SCHEMES),
          header: Type.Optional(Type.String()),
          algorithm: Type.Optional(stringEnum(HMAC_ALGORITHMS)),
          encoding: Type.Optional(stringEnum(HMAC_ENCODINGS)),
          prefix: Type.Optional(Type.String()),
        },
        { additionalProperties: false, description: 'inbound: how calls are verified; the secret is never shown' },
      ),
    ),
    version: Type.Integer({ minimum: 1, description: 'incremented by every change' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'Hook' },
);
type HookBody = Partial<Static<typeof CreateHook>>;

/** The stored hook as a body, so a PATCH can be merged over it. */
function asBody(hook: Hook): HookBody {
  const body: Record<string, unknown> = {
    name: hook.name,
    type: hook.type,
    entityType: hook.entityType,
    runtime: hook.runtime,
    code: hook.code ?? null,
    // The stored secret is not part of the body: a PATCH without one keeps it.
    remote: hook.remote ?? null,
    enabled: hook.enabled,
  };
  for (const key of SETTING_KEYS) body[key] = hook[key];
  return body as HookBody;
}

/**
 * Compiles `code` as a run would; a syntax error is a 400 on `body/code` with the
 * line and column in the hook's own source.
 */
async function compiles(code: string, language: 'javascript' | 'typescript'): Promise<void> {
  try {
    await checkSource(code, language);
  } catch (error) {
    if (!(error instanceof HookyardError) || error.code !== 'HY_VALIDATION') throw error;
    const { line, column } = (error.details ?? {}) as { line?: number; column?: number };
    const found = { path: 'body/code', message: `body/code does not compile: ${error.message}`, ...(line !== undefined && { line }), ...(column !== undefined && { column }) };
    throw validationError([found], { cause: error });
  }
}

/** Checks a complete body and turns it into what the store saves. */
async function toInput(body: HookBody): Promise<HookInput> {
  const runtime = body.runtime ?? 'code';
  // The verification secret is stored apart from the settings, encrypted, and never shown.
  const { secret: verifySecret, ...verify } = body.verify ?? { scheme: 'stripe' as const };
  const draft = { ...body, ...(body.verify && { verify }), type: body.type!, runtime, entityType: body.entityType ?? null } as HookDraft;
  const { settings, issues } = checkHookDraft(draft);
  if (issues.length > 0) throw validationError(underRoot('body', issues));
  if (body.verify?.scheme === 'standard-webhooks' && verifySecret !== undefined && !isSigningSecret(verifySecret)) {
    throw invalidField('body/verify/secret', 'must be "whsec_" followed by the base64 of 24 to 64 random bytes');
  }
  if (runtime === 'code') await compiles(body.code!, body.language ?? 'javascript');
  return {
    name: body.name!,
    type: draft.type,
    entityType: draft.entityType,
    runtime,
    code: runtime === 'code' ? body.code! : null,
    remoteUrl: runtime === 'remote' ? body.remote!.url : null,
    remoteSteps: runtime === 'remote' ? (body.remote!.steps ?? null) : null,
    // A code hook keeps no signing secret; a remote one keeps the stored secret unless a new one is given.
    ...(runtime === 'code' ? { remoteSecret: null } : body.remote?.secret !== undefined ? { remoteSecret: body.remote.secret } : {}),
    ...(body.verify === null ? { verifySecret: null } : body.verify && verifySecret !== undefined ? { verifySecret } : {}),
    enabled: body.enabled ?? true,
    settings,
  };
}

/**
 * An inbound hook may not take a path an automation of the organisation answers, nor,
 * once enabled, a path another enabled inbound hook answers (409): the call would reach
 * only one of them. A disabled hook may share a path, as a draft of its replacement.
 */
async function claimPath(db: Parameters<typeof claimInboundPath>[0], orgId: string, input: HookInput, selfId?: string): Promise<void> {
  const { path, method } = input.settings;
  if (input.type !== 'inbound' || path === undefined) return;
  await claimInboundPath(db, orgId, { path, ...(method && { method }), ...(selfId && { selfId }), hooks: input.enabled, at: 'body/path' });
}

const tags = ['hooks'];

export const hookRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { secretBox }) => {
  const db = app.store.db;

  app.post(
    '/integrations/:id/hooks',
    {
      schema: {
        tags,
        summary: 'Create a hook',
        description: "A hook of the integration. Code is compiled when saved: a syntax error answers 400 on body/code with its line and column. A setting that does not apply to the hook's type is refused.",
        params: IdParams,
        body: CreateHook,
        response: responses({ 201: HookOut }, { body: true, id: true, role: true, also: [409] }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.principal;
      const integration = await findIntegration(db, orgId, request.params.id);
      if (!integration) throw notFound('integration');
      const input = await toInput(request.body);
      if (input.runtime === 'remote' && !input.remoteSecret) {
        throw invalidField('body/remote/secret', 'is required for a remote hook (it signs every call)');
      }
      if (input.settings.verify && !input.verifySecret) {
        throw invalidField('body/verify/secret', 'is required to verify calls');
      }
      await claimPath(db, orgId, input);
      return reply.status(201).send(await insertHook(db, secretBox, orgId, integration.id, input));
    },
  );

  app.get(
    '/integrations/:id/hooks',
    {
      schema: {
        tags,
        summary: "List an integration's hooks",
        description: 'In creation order.',
        params: IdParams,
        querystring: ListQuery,
        response: responses({ 200: Page(HookOut, 'HookPage') }, { id: true }),
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      if (!(await findIntegration(db, orgId, request.params.id))) throw notFound('integration');
      return listHooksOfIntegration(db, orgId, request.params.id, request.query);
    },
  );

  app.get(
    '/hooks/:id',
    { schema: { tags, summary: 'Get a hook', description: 'One hook, with its code.', params: IdParams, response: responses({ 200: HookOut }, { id: true }) } },
    async (request) => {
      const hook = await findHook(db, request.principal.orgId, request.params.id);
      if (!hook) throw notFound('hook');
      return hook;
    },
  );

  app.patch(
    '/hooks/:id',
    {
      schema: {
        tags,
        summary: 'Change a hook',
        description: 'Fields present are set, null clears a setting, absent fields stay; the type is fixed. The version is incremented.',
        params: IdParams,
        body: PatchHook,
        response: responses({ 200: HookOut }, { body: true, id: true, role: true, also: [409] }),
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      const current = await findHook(db, orgId, request.params.id);
      if (!current) throw notFound('hook');
      const merged = { ...asBody(current), ...request.body } as HookBody;
      const input = await toInput(merged);
      if (input.runtime === 'remote' && current.runtime !== 'remote' && !input.remoteSecret) {
        throw invalidField('body/remote/secret', 'is required when a hook becomes remote');
      }
      if (input.settings.verify && !current.verify && !input.verifySecret) {
        throw invalidField('body/verify/secret', 'is required to verify calls');
      }
      await claimPath(db, orgId, input, current.id);
      return (await updateHook(db, secretBox, orgId, current.id, input))!;
    },
  );

  app.delete(
    '/hooks/:id',
    {
      schema: { tags, summary: 'Delete a hook', description: 'Its executions stay readable by id.', params: IdParams, response: responses({ 204: NoContent }, { id: true, role: true }) },
    },
    async (request, reply) => {
      if (!(await deleteHook(db, request.principal.orgId, request.params.id))) throw notFound('hook');
      return reply.status(204).send();
    },
  );
};
