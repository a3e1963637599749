/** `/v1/api-keys`: admins create, list and revoke their organisation's keys. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLES } from '../../domain/api-keys.js';
import { notFound } from '../../domain/errors.js';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from '../../store/api-keys.js';
import { NoContent, Page, responses } from '../openapi.js';
import { IdParams, ListQuery, stringEnum } from '../schemas.js';

const admin = { role: 'admin' } as const;

const keyInfo = {
  id: Type.String(),
  name: Type.String(),
  role: stringEnum(ROLES),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};
const ApiKeyInfo = Type.Object(keyInfo, { additionalProperties: false, title: 'ApiKey' });
const CreatedKey = Type.Object({ ...keyInfo, key: Type.String({ description: 'the full key: shown in this answer only' }) }, { additionalProperties: false, title: 'CreatedApiKey' });
const tags = ['api-keys'];

export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.store.db;

  app.post(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a key',
        description: 'Creates an API key of the organisation with a role. The full key is in this answer only; lists show its prefix.',
        body: Type.Object(
          { role: stringEnum(ROLES), name: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false, examples: [{ role: 'viewer', name: 'dashboard' }] },
        ),
        response: responses({ 201: CreatedKey }, { body: true, role: true }),
      },
    },
    async (request, reply) => {
      const { key, info } = await createApiKey(db, { orgId: request.principal.orgId, role: request.body.role, name: request.body.name });
      return reply.status(201).send({ ...info, key });
    },
  );

  app.get(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags,
        summary: 'List keys',
        description: "The organisation's keys in creation order, revoked ones included.",
        querystring: ListQuery,
        response: responses({ 200: Page(ApiKeyInfo, 'ApiKeyPage') }, { role: true }),
      },
    },
    async (request) => listApiKeys(db, request.principal.orgId, request.query),
  );

  app.get(
    '/api-keys/:id',
    {
      config: admin,
      schema: { tags, summary: 'Get a key', description: "One key's information (never the key itself).", params: IdParams, response: responses({ 200: ApiKeyInfo }, { id: true, role: true }) },
    },
    async (request) => {
      const info = await findApiKey(db, request.principal.orgId, request.params.id);
      if (!info) throw notFound('API key');
      return info;
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      config: admin,
      schema: { tags, summary: 'Revoke a key', description: 'The key stops working at once; it stays listed with its revokedAt.', params: IdParams, response: responses({ 204: NoContent }, { id: true, role: true }) },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(db, request.principal.orgId, request.params.id))) throw notFound('API key');
      return reply.status(204).send();
    },
  );
};
