/**
 * `/v1/entities/{type}` and `/v1/entities/{type}/{id}`: thin routes around the entity
 * operations of `engine/entity-operations.ts`, wrapped by the API pre/post hooks (`engine/api-hooks/api-hooks.ts`).
 */
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { ENTITY_TYPES, entityType, type EntityType } from '../../domain/entity-types.js';
import { withApiHooks } from '../../engine/api-hooks/api-hooks.js';
import { createEntityOperations, type EntityResponse } from '../../engine/entity-operations.js';
import type { AppDeps } from '../deps.js';
import { NoContent, Page, responses, type ErrorKinds } from '../openapi.js';

/**
 * The operations validate their own message (a pre-hook may replace it), so the
 * schemas below only document the API: Fastify lets every request part through.
 */
const documentationOnly: FastifySchemaCompiler<unknown> = () => () => true;
const asJson = () => (data: unknown) => JSON.stringify(data);

const definitions = ENTITY_TYPES.map(entityType);
const TypeParams = Type.Object({ type: Type.Unsafe<EntityType>({ type: 'string', enum: [...ENTITY_TYPES] }) });
const ItemParams = Type.Object({ ...TypeParams.properties, id: Type.String() });
const anyOf = (schemas: TObject[], description: string) => Type.Union(schemas, { description });

/** Where an entity came from. */
const Link = Type.Object(
  {
    sourceSystemKey: Type.String(),
    externalId: Type.String({ description: "the record's id in that system" }),
    integrationId: Type.Union([Type.String(), Type.Null()], { description: 'the integration with that sourceSystemKey; null once deleted' }),
  },
  { additionalProperties: false, title: 'EntityLink' },
);

const EntityOut = anyOf(
  definitions.map((d) =>
    Type.Object(
      {
        id: Type.String(),
        type: Type.Literal(d.type),
        createdAt: Type.String({ format: 'date-time' }),
        updatedAt: Type.String({ format: 'date-time' }),
        version: Type.Integer({ minimum: 1 }),
        ...d.create.properties,
        customAttributes: Type.Record(Type.String(), Type.Unknown()),
        links: Type.Array(Link, { description: 'the source system records this entity is linked to; [] for one made through the API' }),
      },
      { title: d.create.title, additionalProperties: false },
    ),
  ),
  'the entity, of the type in the path; absent optional fields are left out',
);
const CreateBody = anyOf(definitions.map((d) => d.create), 'the fields of the type in the path; unknown fields are refused');
const PatchBody = anyOf(
  definitions.map((d) => d.patch),
  'fields present are set, null clears an optional field, absent fields stay; customAttributes merge key by key',
);
const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String()),
    sourceSystemKey: Type.Optional(Type.String({ description: 'only entities linked to a record of this source system' })),
    externalId: Type.Optional(Type.String({ description: 'only entities linked to a record with this external id' })),
  },
  { additionalProperties: Type.String(), description: 'plus equality filters on top-level text and number fields, e.g. ?status=open' },
);
const EntityPage = Page(EntityOut, 'EntityPage');
const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'the ETag, "<version>"; another version answers 409' })) });

const route = { validatorCompiler: documentationOnly, serializerCompiler: asJson } as const;
const tags = ['entities'];
const HOOKS_NOTE = ' The call runs the API pre- and post-hooks of the entity type and operation.';

/** The entity routes' answers: also whatever status and body an API hook chose. */
function entityResponses(success: Parameters<typeof responses>[0], kinds: ErrorKinds) {
  return {
    ...responses(success, { ...kinds, also: [...(kinds.also ?? []), 404, 429, 502] }),
    default: Type.Unknown({ description: 'a pre-hook that stops the call, or a post-hook that replaces the answer, sends its own status and body' }),
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** True when an API hook chose the answer's status and body (a stop, a responseOverride). */
    answeredByHook: boolean;
  }
}

function send(request: FastifyRequest, reply: FastifyReply, response: EntityResponse): FastifyReply {
  if (response.byHook) request.answeredByHook = true;
  return reply.status(response.status).headers(response.headers ?? {}).send(response.body);
}

export const entityRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const operations = withApiHooks(createEntityOperations(app.store), deps);
  app.decorateRequest('answeredByHook', false);

  app.get(
    '/entities/:type',
    {
      ...route,
      schema: {
        tags,
        summary: 'List entities',
        description: 'In creation order, a page at a time. Filters: equality on top-level text and number fields, and sourceSystemKey / externalId of their links.' + HOOKS_NOTE,
        params: TypeParams,
        querystring: ListQuery,
        response: entityResponses({ 200: EntityPage }, {}),
      },
    },
    async (request, reply) =>
      send(request, reply, await operations.list({ principal: request.principal, type: request.params.type, message: request.query })),
  );

  app.post(
    '/entities/:type',
    {
      ...route,
      schema: {
        tags,
        summary: 'Create an entity',
        description: 'Answers 201 with the entity, its ETag and Location. Unknown fields and undefined custom attributes are refused; references are Hookyard ids.' + HOOKS_NOTE,
        params: TypeParams,
        body: CreateBody,
        response: entityResponses({ 201: EntityOut }, { body: true, role: true, also: [422] }),
      },
    },
    async (request, reply) =>
      send(request, reply, await operations.create({ principal: request.principal, type: request.params.type, message: request.body })),
  );

  app.get(
    '/entities/:type/:id',
    {
      ...route,
      schema: { tags, summary: 'Get an entity', description: 'The entity with its ETag.' + HOOKS_NOTE, params: ItemParams, response: entityResponses({ 200: EntityOut }, { id: true }) },
    },
    async (request, reply) => {
      const { type, id } = request.params;
      return send(request, reply, await operations.get({ principal: request.principal, type, id, message: { id } }));
    },
  );

  app.patch(
    '/entities/:type/:id',
    {
      ...route,
      schema: {
        tags,
        summary: 'Change an entity',
        description: 'Fields present are set, null clears an optional field, absent fields stay; with If-Match, only at that version (else 409).' + HOOKS_NOTE,
        params: ItemParams,
        headers: IfMatch,
        body: PatchBody,
        response: entityResponses({ 200: EntityOut }, { body: true, id: true, role: true, also: [409, 422] }),
      },
    },
    async (request, reply) => {
      const { type, id } = request.params;
      const ifMatch = request.headers['if-match'];
      return send(request, reply, await operations.update({ principal: request.principal, type, id, message: request.body, ifMatch }));
    },
  );

  app.delete(
    '/entities/:type/:id',
    {
      ...route,
      schema: {
        tags,
        summary: 'Delete an entity',
        description: 'With If-Match, only at that version (else 409). A delete event follows.' + HOOKS_NOTE,
        params: ItemParams,
        headers: IfMatch,
        response: entityResponses({ 204: NoContent }, { id: true, role: true, also: [409] }),
      },
    },
    async (request, reply) => {
      const { type, id } = request.params;
      const ifMatch = request.headers['if-match'];
      return send(request, reply, await operations.delete({ principal: request.principal, type, id, message: { id }, ifMatch }));
    },
  );
};
