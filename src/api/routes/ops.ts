/** Liveness, readiness and metrics: unauthenticated, outside `/v1`. */
import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { HookyardError } from '../../domain/errors.js';

export const opsRoutes: FastifyPluginAsync<{ registry: Registry }> = async (app, { registry }) => {
  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async () => {
    try {
      await sql`select 1`.execute(app.store.db);
    } catch (cause) {
      throw new HookyardError('HY_UNAVAILABLE', 'database is not reachable', { cause });
    }
    return { status: 'ready' };
  });
  app.get('/metrics', hide, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
