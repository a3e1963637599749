/**
 * The metrics-only listener (`HOOKYARD_METRICS_PORT`): `/metrics`, `/healthz` and
 * `/readyz` and nothing else, no API key. What lets Prometheus scrape a `worker`, which
 * has no API, and load balancers or orchestrators probe it.
 */
import fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { Database } from '../store/schema.js';
import type { Readiness } from './readiness.js';
import { opsRoutes } from './routes/ops.js';

/** Builds the listener's app; the caller listens and closes it. */
export async function buildMetricsServer(deps: { readonly registry: Registry; readonly readiness: Readiness; readonly db: Kysely<Database> }): Promise<FastifyInstance> {
  const app = fastify({ logger: false });
  app.setNotFoundHandler(async (request, reply) =>
    reply.status(404).send({ error: { code: 'HY_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
  await app.register(opsRoutes, deps);
  return app;
}
