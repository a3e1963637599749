/**
 * `GET /v1/executions/{id}/events`: the live progress of one execution as server-sent
 * events. Authenticated like every `/v1` route (an `Authorization` header, so browsers
 * read it with `fetch` and a stream reader rather than `EventSource`, which cannot send
 * headers).
 *
 * News comes from the in-process {@link ExecutionProgress} of the run's own process. A run
 * on another node (several processes on one PostgreSQL) publishes nowhere this process
 * hears, so the stream also reads the execution row every {@link ROW_CHECK_MS}: such a
 * run shows its start and its end (a pull run writes its counts when it finishes).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../domain/errors.js';
import type { Execution } from '../../domain/executions.js';
import type { ProgressEvent } from '../../engine/execution-progress.js';
import { findExecution } from '../../store/executions.js';
import type { AppDeps } from '../deps.js';
import { responses } from '../openapi.js';
import { IdParams } from '../schemas.js';

/** How often the row is read while the run goes on. */
const ROW_CHECK_MS = 2000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

const isOver = (status: Execution['status']) => status !== 'queued' && status !== 'running';
const eventOf = (execution: Execution): ProgressEvent => ({ status: execution.status, pages: execution.pages, counts: execution.counts });

const STREAM_DESCRIPTION =
  'text/event-stream. Each message is `event: progress` or, once, `event: end`, with `data:` a JSON object ' +
  '`{ status, pages, counts }` (counts as in the execution). The first message is the current state; the stream closes after `end`. ' +
  'Send the key in the Authorization header (read the stream with fetch; EventSource cannot send headers).';

export const executionEventRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const db = app.store.db;

  app.get(
    '/executions/:id/events',
    {
      schema: {
        tags: ['executions'],
        summary: "Follow an execution's progress",
        description: STREAM_DESCRIPTION,
        params: IdParams,
        response: {
          ...responses({}, { id: true }),
          200: { description: 'the event stream', content: { 'text/event-stream': { schema: Type.String({ description: STREAM_DESCRIPTION }) } } },
        },
      },
    },
    async (request, reply) => {
      const { orgId } = request.principal;
      const id = request.params.id;
      const news: ProgressEvent[] = [];
      let wake: (() => void) | undefined;
      const hear = (event: ProgressEvent) => {
        news.push(event);
        wake?.();
      };
      // Subscribed before the first read, so nothing published in between is missed.
      const unsubscribe = deps.progress?.subscribe(id, hear) ?? (() => {});
      let execution: Execution | undefined;
      try {
        execution = await findExecution(db, orgId, id);
      } catch (error) {
        unsubscribe();
        throw error;
      }
      if (!execution) {
        unsubscribe();
        throw notFound('execution');
      }

      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let closed = false;
      request.raw.once('close', () => {
        closed = true;
        wake?.();
      });
      const send = (event: ProgressEvent) => out.write(`event: ${isOver(event.status) ? 'end' : 'progress'}\ndata: ${JSON.stringify(event)}\n\n`);

      let last = eventOf(execution);
      send(last);
      let lastRowCheck = Date.now();
      let lastWrite = Date.now();
      try {
        while (!closed && !isOver(last.status)) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.min(ROW_CHECK_MS, HEARTBEAT_MS)).unref();
          });
          wake = undefined;
          if (closed) break;
          if (news.length === 0 && Date.now() - lastRowCheck >= ROW_CHECK_MS) {
            lastRowCheck = Date.now();
            const row = await findExecution(db, orgId, id);
            if (!row) break;
            // The row only says more than the last news when the run has moved on elsewhere.
            if (row.status !== last.status || row.pages > last.pages) news.push(eventOf(row));
          }
          for (const event of news.splice(0)) {
            last = event;
            send(event);
            lastWrite = Date.now();
          }
          if (Date.now() - lastWrite >= HEARTBEAT_MS) {
            out.write(': still running\n\n');
            lastWrite = Date.now();
          }
        }
      } catch (error) {
        request.log.error({ err: error }, 'progress stream failed');
      } finally {
        unsubscribe();
        out.end();
      }
    },
  );
};
