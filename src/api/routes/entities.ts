/**
 * `/v1/entities/{type}` and `/v1/entities/{type}/{id}`: thin routes around the entity
 * operations of `engine/entity-operations.ts`, wrapped by the API pre/post hooks (`engine/api-hooks.ts`).
 */
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifySchemaCompiler } from 'fastify';
import { ENTITY_TYPES, entityType, type EntityType } from '../../domain/entity-types.js';
import { withApiHooks } from '../../engine/api-hooks.js';
import { createEntityOperations, type EntityResponse } from '../../engine/entity-operations.js';
import type { AppDeps } from '../app.js';

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
      },
      { title: d.create.title },
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
  },
  { additionalProperties: Type.String(), description: 'plus equality filters on top-level fields, e.g. ?status=open' },
);
const EntityPage = Type.Object({ items: Type.Array(EntityOut), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'the ETag, "<version>"; another version answers 409' })) });

const route = { validatorCompiler: documentationOnly, serializerCompiler: asJson } as const;
const tags = ['entities'];

function send(reply: FastifyReply, response: EntityResponse): FastifyReply {
  return reply.status(response.status).headers(response.headers ?? {}).send(response.body);
}

export const entityRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const operations = withApiHooks(createEntityOperations(app.store), deps);

  app.get(
    '/entities/:type',
    { ...route, schema: { tags, summary: 'List entities (filters, cursor pagination)', params: TypeParams, querystring: ListQuery, response: { 200: EntityPage } } },
    async (request, reply) =>
      send(reply, await operations.list({ principal: request.principal, type: request.params.type, message: request.query })),
  );

  app.post(
    '/entities/:type',
    { ...route, schema: { tags, summary: 'Create an entity', params: TypeParams, body: CreateBody, response: { 201: EntityOut } } },
    async (request, reply) =>
      send(reply, await operations.create({ principal: request.principal, type: request.params.type, message: request.body })),
  );

  app.get(
    '/entities/:type/:id',
    { ...route, schema: { tags, summary: 'Get an entity', params: ItemParams, response: { 200: EntityOut } } },
    async (request, reply) => {
      const { type, id } = request.params;
      return send(reply, await operations.get({ principal: request.principal, type, id, message: { id } }));
    },
  );

  app.patch(
    '/entities/:type/:id',
    { ...route, schema: { tags, summary: 'Change an entity', params: ItemParams, headers: IfMatch, body: PatchBody, response: { 200: EntityOut } } },
    async (request, reply) => {
      const { type, id } = request.params;
      const ifMatch = request.headers['if-match'];
      return send(reply, await operations.update({ principal: request.principal, type, id, message: request.body, ifMatch }));
    },
  );

  app.delete(
    '/entities/:type/:id',
    { ...route, schema: { tags, summary: 'Delete an entity', params: ItemParams, headers: IfMatch } },
    async (request, reply) => {
      const { type, id } = request.params;
      const ifMatch = request.headers['if-match'];
      return send(reply, await operations.delete({ principal: request.principal, type, id, message: { id }, ifMatch }));
    },
  );
};
