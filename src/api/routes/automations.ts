/**
 * `/v1/automations` and `/v1/automations/{id}`: automation definitions of the caller's
 * organisation. Viewers read, editors write; an inbound trigger's verification secret
 * is write-only (given on save, never answered).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Automation } from '../../domain/automations.js';
import { notFound } from '../../domain/errors.js';
import { deleteAutomation, insertAutomation, listAutomations, updateAutomation } from '../../store/automations.js';
import { requireAutomation, toAutomationInput } from '../automation-input.js';
import { AutomationBody, AutomationOut, AutomationPatch } from '../automation-schemas.js';
import type { AppDeps } from '../deps.js';
import { NoContent, Page, responses } from '../openapi.js';
import { IdParams, ListQuery } from '../schemas.js';

/** The automation as answered: without its organisation, which is the caller's. */
function automationOut({ orgId: _orgId, ...shown }: Automation): Omit<Automation, 'orgId'> {
  return shown;
}

/** The stored automation as a body, so a PATCH can be merged over it. */
function asBody(automation: Automation): Record<string, unknown> {
  const { id: _id, orgId: _orgId, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...definition } = automation;
  return definition;
}

const tags = ['automations'];
const VALIDATION = ' A rule of the definition that fails answers 400 naming its place (body/actions/0/cases/1/params/subject); an inbound path another route of the organisation answers, 409.';

export const automationRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { secretBox }) => {
  const db = app.store.db;

  app.post(
    '/automations',
    {
      schema: {
        tags,
        summary: 'Create an automation',
        description: 'A trigger, optional conditions and actions that run in order.' + VALIDATION,
        body: AutomationBody,
        response: responses({ 201: AutomationOut }, { body: true, role: true, also: [409] }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.principal;
      const input = await toAutomationInput(db, orgId, request.body);
      return reply.status(201).send(automationOut(await insertAutomation(db, secretBox, orgId, input)));
    },
  );

  app.get(
    '/automations',
    {
      schema: { tags, summary: 'List automations', description: 'In creation order.', querystring: ListQuery, response: responses({ 200: Page(AutomationOut, 'AutomationPage') }) },
    },
    async (request) => {
      const page = await listAutomations(db, request.principal.orgId, request.query);
      return { items: page.items.map(automationOut), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/automations/:id',
    { schema: { tags, summary: 'Get an automation', description: 'One automation; a verification secret is never shown.', params: IdParams, response: responses({ 200: AutomationOut }, { id: true }) } },
    async (request) => automationOut(await requireAutomation(db, request.principal.orgId, request.params.id)),
  );

  app.put(
    '/automations/:id',
    {
      schema: {
        tags,
        summary: 'Replace an automation',
        description: 'The whole definition; a verify without a secret keeps the stored secret. The version is incremented.' + VALIDATION,
        params: IdParams,
        body: AutomationBody,
        response: responses({ 200: AutomationOut }, { body: true, id: true, role: true, also: [409] }),
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      const current = await requireAutomation(db, orgId, request.params.id);
      const input = await toAutomationInput(db, orgId, request.body, current);
      return automationOut((await updateAutomation(db, secretBox, orgId, current.id, input))!);
    },
  );

  app.patch(
    '/automations/:id',
    {
      schema: {
        tags,
        summary: 'Change an automation',
        description: 'Fields present replace the stored ones (null clears description or conditions), absent fields stay. The version is incremented.' + VALIDATION,
        params: IdParams,
        body: AutomationPatch,
        response: responses({ 200: AutomationOut }, { body: true, id: true, role: true, also: [409] }),
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      const current = await requireAutomation(db, orgId, request.params.id);
      const merged: Record<string, unknown> = { ...asBody(current), ...request.body };
      for (const key of ['description', 'conditions']) if (merged[key] === null) delete merged[key];
      const input = await toAutomationInput(db, orgId, merged, current);
      return automationOut((await updateAutomation(db, secretBox, orgId, current.id, input))!);
    },
  );

  app.delete(
    '/automations/:id',
    {
      schema: { tags, summary: 'Delete an automation', description: 'Its executions stay readable by id.', params: IdParams, response: responses({ 204: NoContent }, { id: true, role: true }) },
    },
    async (request, reply) => {
      if (!(await deleteAutomation(db, request.principal.orgId, request.params.id))) throw notFound('automation');
      return reply.status(204).send();
    },
  );
};
