/** `GET /v1/me`: who the caller's key is, so a client (the web UI) can show what the role allows. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLES } from '../../domain/api-keys.js';
import { notFound } from '../../domain/errors.js';
import { findOrganisation } from '../../store/organisations.js';
import { responses } from '../openapi.js';
import { stringEnum } from '../schemas.js';
import { orgInfo } from '../../domain/organisations.js';

const Me = Type.Object(
  {
    apiKeyId: Type.String(),
    role: stringEnum(ROLES),
    org: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), timeZone: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false, title: 'Me' },
);

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'The calling key',
        description: "The key's id and role and its organisation (slug and time zone included). Any role may ask.",
        response: responses({ 200: Me }),
      },
    },
    async (request) => {
      const { apiKeyId, orgId, role } = request.principal;
      const org = await findOrganisation(app.store.db, orgId);
      if (!org) throw notFound('organisation');
      return { apiKeyId, role, org: orgInfo(org) };
    },
  );
};
