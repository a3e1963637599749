/** Liveness, readiness and metrics: unauthenticated, outside `/v1`. */
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { Database } from '../../store/schema.js';
import type { ErrorBody } from '../errors.js';
import type { Readiness } from '../readiness.js';

/** What the operations routes read. */
export interface OpsRoutesOptions {
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly db: Kysely<Database>;
}

export const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (app, { registry, readiness, db }) => {
  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  // Answered here rather than thrown: a probe every few seconds during an outage is not an error to log each time.
  app.get('/readyz', hide, async (_request, reply) => {
    const failed = await readiness.check(db);
    if (failed === undefined) return { status: 'ready' };
    const body: ErrorBody = { error: { code: 'HY_UNAVAILABLE', message: `not ready: ${failed.message}`, details: [failed] } };
    return reply.status(503).send(body);
  });
  app.get('/metrics', hide, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
