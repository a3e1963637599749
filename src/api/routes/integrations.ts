/** `/v1/integrations`: the connections to external systems. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../domain/errors.js';
import { deleteIntegration, findIntegration, insertIntegration, listIntegrations, updateIntegration } from '../../store/integrations.js';
import { IdParams, ListQuery } from '../schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 2000 });

const tags = ['integrations'];

export const integrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.store.db;

  app.post(
    '/integrations',
    {
      schema: {
        tags,
        body: Type.Object(
          {
            name: Name,
            description: Type.Optional(Description),
            sourceSystemKey: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'short id such as "workday"; fixed once created' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => reply.status(201).send(await insertIntegration(db, request.principal.orgId, request.body)),
  );

  app.get('/integrations', { schema: { tags, querystring: ListQuery } }, async (request) =>
    listIntegrations(db, request.principal.orgId, request.query),
  );

  app.get('/integrations/:id', { schema: { tags, params: IdParams } }, async (request) => {
    const integration = await findIntegration(db, request.principal.orgId, request.params.id);
    if (!integration) throw notFound('integration');
    return integration;
  });

  app.patch(
    '/integrations/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object({ name: Type.Optional(Name), description: Type.Optional(Description) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const integration = await updateIntegration(db, request.principal.orgId, request.params.id, request.body);
      if (!integration) throw notFound('integration');
      return integration;
    },
  );

  app.delete('/integrations/:id', { schema: { tags, params: IdParams } }, async (request, reply) => {
    if (!(await deleteIntegration(db, request.principal.orgId, request.params.id))) throw notFound('integration');
    return reply.status(204).send();
  });
};
