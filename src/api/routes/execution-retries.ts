/** `POST /v1/executions/{id}/retry`: re-runs an execution by hand (202 `{ executionId }`). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { retryExecution } from '../../engine/execution-retries.js';
import type { AppDeps } from '../deps.js';
import { responses } from '../openapi.js';
import { IdParams, Queued } from '../schemas.js';

export const executionRetryRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post(
    '/executions/:id/retry',
    {
      config: { role: 'editor' },
      schema: {
        tags: ['executions'],
        summary: 'Retry an execution',
        description: 'Runs it again as a new execution (a PUSH hook with the same event) and answers 202 with its id.',
        params: IdParams,
        response: responses({ 202: Queued }, { id: true, role: true, also: [409] }),
      },
    },
    async (request, reply) => {
      const executionId = await retryExecution(deps, request.principal.orgId, request.params.id);
      return reply.status(202).send({ executionId });
    },
  );
};
