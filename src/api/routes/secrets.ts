/**
 * `/v1/integrations/{id}/secrets`: write-only values. Listing shows names and times;
 * no answer ever contains a value.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../domain/errors.js';
import { findIntegration } from '../../store/integrations.js';
import { deleteSecret, listSecrets, putSecret } from '../../store/secrets.js';
import type { AppDeps } from '../deps.js';
import { NoContent, Page, responses } from '../openapi.js';
import { IdParams } from '../schemas.js';

const SecretParams = Type.Object({
  id: IdParams.properties.id,
  name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', description: 'usable as ctx.secrets.NAME' }),
});

const SecretInfo = Type.Object(
  { name: Type.String(), createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false, title: 'Secret', description: 'a secret without its value: values are write-only' },
);
const tags = ['secrets'];

export const secretRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { secretBox }) => {
  const db = app.store.db;

  async function integrationOf(orgId: string, id: string) {
    const integration = await findIntegration(db, orgId, id);
    if (!integration) throw notFound('integration');
    return integration;
  }

  app.get(
    '/integrations/:id/secrets',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary: "List an integration's secrets",
        description: 'Names and times, never values; one page, by name.',
        params: IdParams,
        response: responses({ 200: Page(SecretInfo, 'SecretPage') }, { id: true, role: true }),
      },
    },
    async (request) => {
      const integration = await integrationOf(request.principal.orgId, request.params.id);
      return { items: await listSecrets(db, request.principal.orgId, integration.id), nextCursor: null };
    },
  );

  app.put(
    '/integrations/:id/secrets/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Set a secret',
        description: 'Creates (201) or replaces (200) a secret; hooks of the integration read it as ctx.secrets.NAME. The value is never shown again.',
        params: SecretParams,
        body: Type.Object({ value: Type.String({ minLength: 1, maxLength: 16384 }) }, { additionalProperties: false, examples: [{ value: 'wd-7c1e9b2f' }] }),
        response: responses({ 200: SecretInfo, 201: SecretInfo }, { body: true, id: true, role: true }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.principal;
      const integration = await integrationOf(orgId, request.params.id);
      const created = await putSecret(db, secretBox, { orgId, integrationId: integration.id, name: request.params.name, value: request.body.value });
      const info = (await listSecrets(db, orgId, integration.id)).find((s) => s.name === request.params.name);
      return reply.status(created ? 201 : 200).send(info);
    },
  );

  app.delete(
    '/integrations/:id/secrets/:name',
    {
      config: { role: 'admin' },
      schema: { tags, summary: 'Delete a secret', description: 'Runs that start afterwards no longer see it.', params: SecretParams, response: responses({ 204: NoContent }, { id: true, role: true }) },
    },
    async (request, reply) => {
      const { orgId } = request.principal;
      const integration = await integrationOf(orgId, request.params.id);
      if (!(await deleteSecret(db, orgId, integration.id, request.params.name))) throw notFound('secret');
      return reply.status(204).send();
    },
  );
};
