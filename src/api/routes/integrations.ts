/** `/v1/integrations`: the connections to external systems. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../domain/errors.js';
import { deleteIntegration, findIntegration, insertIntegration, listIntegrations, updateIntegration } from '../../store/integrations.js';
import { NoContent, Page, responses } from '../openapi.js';
import { IdParams, ListQuery } from '../schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 2000 });
const SourceSystemKey = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'short id such as "workday"; fixed once created' });

const Integration = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    sourceSystemKey: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'Integration' },
);

const tags = ['integrations'];

export const integrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.store.db;

  app.post(
    '/integrations',
    {
      schema: {
        tags,
        summary: 'Create an integration',
        description: 'A connection to one external system. Its sourceSystemKey is unique in the organisation and matches synced records to entities.',
        body: Type.Object(
          { name: Name, description: Type.Optional(Description), sourceSystemKey: SourceSystemKey },
          { additionalProperties: false, examples: [{ name: 'Workday', sourceSystemKey: 'workday', description: 'HR master data' }] },
        ),
        response: responses({ 201: Integration }, { body: true, role: true, also: [409] }),
      },
    },
    async (request, reply) => reply.status(201).send(await insertIntegration(db, request.principal.orgId, request.body)),
  );

  app.get(
    '/integrations',
    {
      schema: { tags, summary: 'List integrations', description: 'In creation order.', querystring: ListQuery, response: responses({ 200: Page(Integration, 'IntegrationPage') }) },
    },
    async (request) => listIntegrations(db, request.principal.orgId, request.query),
  );

  app.get(
    '/integrations/:id',
    { schema: { tags, summary: 'Get an integration', description: 'One integration.', params: IdParams, response: responses({ 200: Integration }, { id: true }) } },
    async (request) => {
      const integration = await findIntegration(db, request.principal.orgId, request.params.id);
      if (!integration) throw notFound('integration');
      return integration;
    },
  );

  app.patch(
    '/integrations/:id',
    {
      schema: {
        tags,
        summary: 'Rename or describe an integration',
        description: 'Fields present are set; the sourceSystemKey cannot change.',
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Name), description: Type.Optional(Description) },
          { additionalProperties: false, examples: [{ description: 'HR master data, EU tenant' }] },
        ),
        response: responses({ 200: Integration }, { body: true, id: true, role: true }),
      },
    },
    async (request) => {
      const integration = await updateIntegration(db, request.principal.orgId, request.params.id, request.body);
      if (!integration) throw notFound('integration');
      return integration;
    },
  );

  app.delete(
    '/integrations/:id',
    {
      schema: {
        tags,
        summary: 'Delete an integration',
        description: 'Its hooks, secrets and key-value entries go with it; the entities it synced stay.',
        params: IdParams,
        response: responses({ 204: NoContent }, { id: true, role: true }),
      },
    },
    async (request, reply) => {
      if (!(await deleteIntegration(db, request.principal.orgId, request.params.id))) throw notFound('integration');
      return reply.status(204).send();
    },
  );
};
