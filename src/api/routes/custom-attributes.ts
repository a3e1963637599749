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
import { NoContent, Page, responses } from '../openapi.js';
import { IdParams, ListQuery, stringEnum } from '../schemas.js';

const entityTypeSchema = stringEnum(ENTITY_TYPES);
const Definition = Type.Object(
  {
    id: Type.String(),
    entityType: entityTypeSchema,
    key: Type.String(),
    label: Type.String(),
    type: stringEnum(CUSTOM_ATTRIBUTE_TYPES),
    options: Type.Union([Type.Array(Type.String()), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'CustomAttribute' },
);
const Query = Type.Object({ ...ListQuery.properties, entityType: Type.Optional(entityTypeSchema) });
const tags = ['custom-attributes'];

function refuse(issues: FieldIssue[]): void {
  if (issues.length > 0) throw validationError(underRoot('body', issues));
}

export const customAttributeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.store.db;
  const definition = 'custom attribute';

  app.get(
    '/custom-attributes',
    {
      schema: {
        tags,
        summary: 'List definitions',
        description: 'In creation order, optionally of one entity type.',
        querystring: Query,
        response: responses({ 200: Page(Definition, 'CustomAttributePage') }),
      },
    },
    async (request) => listCustomAttributes(db, request.principal.orgId, request.query),
  );

  app.post(
    '/custom-attributes',
    {
      schema: {
        tags,
        summary: 'Define a custom attribute',
        description: 'An extra field of one entity type, read and written in customAttributes. The key is unique per entity type.',
        body: { ...CustomAttributeCreate, examples: [{ entityType: 'employee', key: 'department', label: 'Department', type: 'enum', options: ['Engineering', 'Sales'] }] },
        response: responses({ 201: Definition }, { body: true, role: true, also: [409] }),
      },
    },
    async (request, reply) => {
      refuse(checkDefinitionOptions(request.body.type, request.body.options));
      const created = await createCustomAttribute(db, { orgId: request.principal.orgId, ...request.body });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/custom-attributes/:id',
    { schema: { tags, summary: 'Get a definition', description: 'One definition.', params: IdParams, response: responses({ 200: Definition }, { id: true }) } },
    async (request) => {
      const found = await findCustomAttribute(db, request.principal.orgId, request.params.id);
      if (!found) throw notFound(definition);
      return found;
    },
  );

  app.patch(
    '/custom-attributes/:id',
    {
      schema: {
        tags,
        summary: 'Change the label or the enum options',
        description: 'The key, entity type and type are fixed once created.',
        params: IdParams,
        body: CustomAttributePatch,
        response: responses({ 200: Definition }, { body: true, id: true, role: true }),
      },
    },
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
    {
      schema: {
        tags,
        summary: 'Delete a definition',
        description: 'Values already stored on entities stay; new ones are refused.',
        params: IdParams,
        response: responses({ 204: NoContent }, { id: true, role: true }),
      },
    },
    async (request, reply) => {
      if (!(await deleteCustomAttribute(db, request.principal.orgId, request.params.id))) throw notFound(definition);
      return reply.status(204).send();
    },
  );
};
