/** `/v1/api-keys`: admins create, list and revoke their organisation's keys. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLES } from '../../domain/api-keys.js';
import { notFound } from '../../domain/errors.js';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from '../../store/api-keys.js';
import { IdParams, ListQuery, stringEnum } from '../schemas.js';

const admin = { role: 'admin' } as const;

const ApiKeyInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: stringEnum(ROLES),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.store.db;

  app.post(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags: ['api-keys'],
        summary: 'Create a key; the full key is in this answer only',
        body: Type.Object({ role: stringEnum(ROLES), name: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { key, info } = await createApiKey(db, { orgId: request.principal.orgId, role: request.body.role, name: request.body.name });
      return reply.status(201).send({ ...info, key });
    },
  );

  app.get(
    '/api-keys',
    { config: admin, schema: { tags: ['api-keys'], querystring: ListQuery } },
    async (request) => listApiKeys(db, request.principal.orgId, request.query),
  );

  app.get('/api-keys/:id', { config: admin, schema: { tags: ['api-keys'], params: IdParams, response: { 200: ApiKeyInfo } } }, async (request) => {
    const info = await findApiKey(db, request.principal.orgId, request.params.id);
    if (!info) throw notFound('API key');
    return info;
  });

  app.delete('/api-keys/:id', { config: admin, schema: { tags: ['api-keys'], params: IdParams } }, async (request, reply) => {
    if (!(await revokeApiKey(db, request.principal.orgId, request.params.id))) throw notFound('API key');
    return reply.status(204).send();
  });
};
