/** `/v1/custom-attributes`: the organisation's custom attribute definitions per entity type. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CUSTOM_ATTRIBUTE_TYPES,
  checkDefinitionOptions,
  CustomAttributeCreate,
  CustomAttributePatch,
} from '../../domain/custom-attributes.js';
import { ENTITY_TYPES } from '../../domain/entity-types.js';
import { notFound, validationError } from '../../domain/errors.js';
import { underRoot, type FieldIssue } from '../../domain/field-issues.js';
import {
  createCustomAttribute,
  deleteCustomAttribute,
  findCustomAttribute,
  listCustomAttributes,
  updateCustomAttribute,
} from '../../store/custom-attributes.js';
import { IdParams, ListQuery, stringEnum } from '../schemas.js';

const entityTypeSchema = stringEnum(ENTITY_TYPES);
const Definition = Type.Object({
  id: Type.String(),
  entityType: entityTypeSchema,
  key: Type.String(),
  label: Type.String(),
  type: stringEnum(CUSTOM_ATTRIBUTE_TYPES),
  options: Type.Union([Type.Array(Type.String()), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const Query = Type.Object({ ...ListQuery.properties, entityType: Type.Optional(entityTypeSchema) });
const tags = ['custom-attributes'];

function refuse(issues: FieldIssue[]): void {
  if (issues.length > 0) throw validationError(underRoot('body', issues));
}

export const customAttributeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.store.db;
  const definition = 'custom attribute';

  app.get('/custom-attributes', { schema: { tags, summary: 'List definitions', querystring: Query } }, async (request) =>
    listCustomAttributes(db, request.principal.orgId, request.query),
  );

  app.post(
    '/custom-attributes',
    { schema: { tags, summary: 'Define a custom attribute', body: CustomAttributeCreate, response: { 201: Definition } } },
    async (request, reply) => {
      refuse(checkDefinitionOptions(request.body.type, request.body.options));
      const created = await createCustomAttribute(db, { orgId: request.principal.orgId, ...request.body });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/custom-attributes/:id',
    { schema: { tags, summary: 'Get a definition', params: IdParams, response: { 200: Definition } } },
    async (request) => {
      const found = await findCustomAttribute(db, request.principal.orgId, request.params.id);
      if (!found) throw notFound(definition);
      return found;
    },
  );

  app.patch(
    '/custom-attributes/:id',
    { schema: { tags, summary: 'Change the label or the enum options', params: IdParams, body: CustomAttributePatch, response: { 200: Definition } } },
    async (request) => {
      const { orgId } = request.principal;
      const found = await findCustomAttribute(db, orgId, request.params.id);
      if (!found) throw notFound(definition);
      if (request.body.options !== undefined) refuse(checkDefinitionOptions(found.type, request.body.options));
      const updated = await updateCustomAttribute(db, orgId, found.id, request.body);
      if (!updated) throw notFound(definition);
      return updated;
    },
  );

  app.delete(
    '/custom-attributes/:id',
    { schema: { tags, summary: 'Delete a definition (values on entities stay)', params: IdParams } },
    async (request, reply) => {
      if (!(await deleteCustomAttribute(db, request.principal.orgId, request.params.id))) throw notFound(definition);
      return reply.status(204).send();
    },
  );
};
