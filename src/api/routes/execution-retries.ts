/** `POST /v1/executions/{id}/retry`: re-runs an execution by hand (202 `{ executionId }`). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { retryExecution } from '../../engine/execution-retries.js';
import type { AppDeps } from '../app.js';
import { IdParams } from '../schemas.js';

export const executionRetryRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post(
    '/executions/:id/retry',
    {
      config: { role: 'editor' },
      schema: {
        tags: ['executions'],
        summary: 'Run an execution again (PUSH: the same event), as a new execution',
        params: IdParams,
        response: { 202: Type.Object({ executionId: Type.String() }) },
      },
    },
    async (request, reply) => {
      const executionId = await retryExecution(deps, request.principal.orgId, request.params.id);
      return reply.status(202).send({ executionId });
    },
  );
};
