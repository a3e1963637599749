/**
 * Running automations through the API: `POST /v1/automations/{id}/test` (a dry run over a
 * fixture, answered with its finished execution), `POST /v1/automations/{id}/run` (a manual
 * run with a JSON payload, 202), `GET /v1/automations/{id}/executions`, and
 * `GET /v1/automations/{id}/schedule` (the next run times of a schedule trigger).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HookyardError } from '../../domain/errors.js';
import { testAutomation } from '../../engine/automations/automation-test.js';
import { enqueueManualRun } from '../../engine/automations/run-jobs.js';
import { upcomingRuns } from '../../domain/schedule-card.js';
import { countScheduleRuns } from '../../engine/automations/triggers/schedule.js';
import { findOrganisation } from '../../store/organisations.js';
import { findExecution, listExecutionsOfAutomation } from '../../store/executions.js';
import { requireAutomation } from '../automation-input.js';
import { AutomationTestBody, ScheduleOut } from '../automation-schemas.js';
import type { AppDeps } from '../deps.js';
import { Page, responses } from '../openapi.js';
import { Execution, ExecutionListQuery, IdParams, Queued } from '../schemas.js';

const tags = ['automations'];

export const automationRunRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const db = app.store.db;

  app.post(
    '/automations/:id/test',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary: 'Dry-run an automation',
        description:
          'Evaluates the conditions and renders every action’s params over the fixture ({ before, after, event, trigger }, all optional), performs no action, ' +
          'and answers 200 with the finished execution (dryRun: true): an action that would have run is a skipped step with its case and rendered params. No body is the same as {}.',
        params: IdParams,
        body: AutomationTestBody,
        response: responses({ 200: Execution }, { body: true, id: true, role: true }),
      },
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      const automation = await requireAutomation(db, orgId, request.params.id);
      const executionId = await testAutomation(deps, automation, request.body ?? {});
      return (await findExecution(db, orgId, executionId))!;
    },
  );

  app.post(
    '/automations/:id/run',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary: 'Run an automation now',
        description: 'Queues a run with the JSON body as trigger.body (templates read {{trigger.body.…}}) and answers 202 with its execution id. Any trigger type may be run by hand. No body is the same as {}.',
        params: IdParams,
        body: Type.Unknown({ description: 'any JSON: trigger.body of the run' }),
        response: responses({ 202: Queued }, { body: true, id: true, role: true }),
      },
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const { orgId } = request.principal;
      const automation = await requireAutomation(db, orgId, request.params.id);
      if (!automation.enabled) throw new HookyardError('HY_BAD_REQUEST', 'the automation is disabled; enable it to run it');
      const executionId = await enqueueManualRun(deps, orgId, automation.id, request.body ?? {});
      return reply.status(202).send({ executionId });
    },
  );

  app.get(
    '/automations/:id/executions',
    {
      schema: {
        tags,
        summary: "List an automation's executions",
        description: 'Newest first, optionally of one status and one trigger; each has the run’s steps.',
        params: IdParams,
        querystring: ExecutionListQuery,
        response: responses({ 200: Page(Execution, 'AutomationExecutionPage') }, { id: true }),
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      await requireAutomation(db, orgId, request.params.id);
      return listExecutionsOfAutomation(db, orgId, request.params.id, request.query);
    },
  );

  app.get(
    '/automations/:id/schedule',
    {
      schema: {
        tags,
        summary: 'Next run times of a schedule',
        description: 'The next count (default 10, at most 100) times a schedule trigger runs after now, ISO 8601 with the offset of the card’s time zone; fewer when the card ends. Other triggers answer 400.',
        params: IdParams,
        querystring: Type.Object({ count: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) }),
        response: responses({ 200: ScheduleOut }, { id: true }),
      },
    },
    async (request) => {
      const { orgId } = request.principal;
      const automation = await requireAutomation(db, orgId, request.params.id);
      if (automation.trigger.type !== 'schedule') throw new HookyardError('HY_BAD_REQUEST', `the automation has a ${automation.trigger.type} trigger; only schedule triggers have run times`);
      const org = (await findOrganisation(db, orgId))!;
      const runsSoFar = await countScheduleRuns(db, orgId, automation.id);
      return { runs: upcomingRuns(automation.trigger, org.timeZone, new Date(), request.query.count, runsSoFar) };
    },
  );
};
