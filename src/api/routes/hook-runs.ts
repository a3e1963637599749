/**
 * `POST /v1/hooks/{id}/run` (202 `{ executionId }`) and `POST /v1/hooks/{id}/test`
 * (200, the finished dry-run execution). What a run or a test means is per hook type,
 * in {@link HOOK_RUNNERS}.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HookyardError, notFound } from '../../domain/errors.js';
import type { Hook, HookType } from '../../domain/hooks.js';
import type { EngineDeps } from '../../engine/deps.js';
import { DRY_RUNS } from '../../engine/dry-runs.js';
import { runPull } from '../../engine/pull/pull.js';
import { enqueuePullRun } from '../../engine/pull/pull-jobs.js';
import type { JsonValue } from '../../sandbox/index.js';
import { findExecution, insertExecution } from '../../store/executions.js';
import { findHook } from '../../store/hooks.js';
import type { AppDeps } from '../deps.js';
import { responses } from '../openapi.js';
import { Execution, IdParams, Queued } from '../schemas.js';

const TestBody = Type.Object(
  {
    meta: Type.Optional(Type.Unknown({ description: 'ctx.meta of the first page (pull)' })),
    event: Type.Optional(Type.Unknown({ description: 'ctx.event fixture (push)' })),
    request: Type.Optional(Type.Unknown({ description: 'ctx.request fixture (pre, post, inbound)' })),
  },
  { additionalProperties: false, examples: [{}, { meta: { page: 2 } }, { request: { operation: 'create', message: { firstName: 'Ada' } } }] },
);
type TestFixture = Static<typeof TestBody>;

/** How one hook type runs by hand and as a dry run; both resolve to the execution id. */
interface HookRunner {
  run?(deps: EngineDeps, hook: Hook, orgId: string): Promise<string>;
  test?(deps: EngineDeps, hook: Hook, orgId: string, fixture: TestFixture): Promise<string>;
}

/** Runners by hook type; a type without an entry answers 400. */
export const HOOK_RUNNERS: Partial<Record<HookType, HookRunner>> = {
  pull: {
    async run(deps, hook, orgId) {
      const enqueued = await enqueuePullRun(deps, { orgId, hookId: hook.id, trigger: 'manual' });
      return enqueued!.executionId;
    },
    async test(deps, hook, orgId, fixture) {
      const executionId = await insertExecution(deps.store.db, { orgId, hookId: hook.id, trigger: 'test', dryRun: true, status: 'running' });
      await runPull(deps, {
        orgId,
        hookId: hook.id,
        executionId,
        trigger: 'test',
        dryRun: true,
        attempt: 1,
        ...(fixture.meta !== undefined && { meta: fixture.meta as JsonValue }),
      });
      return executionId;
    },
  },
  push: { test: DRY_RUNS.push },
  pre: { test: DRY_RUNS.pre },
  post: { test: DRY_RUNS.post },
  inbound: { test: DRY_RUNS.inbound },
};

const tags = ['runs'];

export const hookRunRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const db = app.store.db;
  const runnerOf = async (orgId: string, id: string, what: 'run' | 'test') => {
    const hook = await findHook(db, orgId, id);
    if (!hook) throw notFound('hook');
    const runner = HOOK_RUNNERS[hook.type]?.[what];
    if (!runner) throw new HookyardError('HY_BAD_REQUEST', `${hook.type} hooks cannot be ${what === 'run' ? 'run by hand' : 'tested'} here`);
    return { hook, runner };
  };

  app.post(
    '/hooks/:id/run',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary: 'Run a hook now',
        description: 'PULL hooks: queues a run and answers 202 with its execution id (recorded as skipped over the hourly limit). Other types answer 400.',
        params: IdParams,
        response: responses({ 202: Queued }, { id: true, role: true }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.principal;
      const { hook, runner } = await runnerOf(orgId, request.params.id, 'run');
      const executionId = await runner(deps, hook, orgId, {});
      return reply.status(202).send({ executionId });
    },
  );

  app.post(
    '/hooks/:id/test',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary: 'Dry-run a hook',
        description:
          'Runs the hook once in the sandbox with real HTTP and writes nothing (no entities, KV writes or events); answers 200 with the finished execution. ' +
          'PULL and inbound: counts say what would happen and preview lists each record; inbound: the request fixture is the call, not verified, and the answer is logged. No body is the same as {}.',
        params: IdParams,
        body: TestBody,
        response: responses({ 200: Execution }, { body: true, id: true, role: true, also: [429] }),
      },
      // No body at all means no fixture, as `{}` does.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      const { hook, runner } = await runnerOf(orgId, request.params.id, 'test');
      const executionId = await runner(deps, hook, orgId, request.body ?? {});
      return (await findExecution(db, orgId, executionId))!;
    },
  );
};
