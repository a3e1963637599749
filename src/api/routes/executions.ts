/** `/v1/hooks/{id}/executions` and `/v1/executions/{id}`: the record of every run. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../domain/errors.js';
import { findExecution, listExecutionsOfHook } from '../../store/executions.js';
import { findHook } from '../../store/hooks.js';
import { Page, responses } from '../openapi.js';
import { Execution, ExecutionListQuery, IdParams } from '../schemas.js';

const tags = ['executions'];

export const executionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.store.db;

  app.get(
    '/hooks/:id/executions',
    {
      schema: {
        tags,
        summary: "List a hook's executions",
        description: 'Newest first, optionally of one status and one trigger.',
        params: IdParams,
        querystring: ExecutionListQuery,
        response: responses({ 200: Page(Execution, 'ExecutionPage') }, { id: true }),
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      if (!(await findHook(db, orgId, request.params.id))) throw notFound('hook');
      return listExecutionsOfHook(db, orgId, request.params.id, request.query);
    },
  );

  app.get(
    '/executions/:id',
    {
      schema: {
        tags,
        summary: 'Get an execution',
        description: 'The record of one run: status, counts, logs, HTTP log, error, and for dry runs the preview.',
        params: IdParams,
        response: responses({ 200: Execution }, { id: true }),
      },
    },
    async (request) => {
      const execution = await findExecution(db, request.principal.orgId, request.params.id);
      if (!execution) throw notFound('execution');
      return execution;
    },
  );
};
