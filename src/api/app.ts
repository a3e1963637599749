/**
 * The HTTP application: REST API under `/v1`, OpenAPI and docs, operations routes, and the
 * web UI's static files at `/`.
 * Route groups are encapsulated plugins listed in {@link V1_ROUTES}; only the store
 * and the caller's principal are shared decorators.
 */
import fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import type { Store } from '../store/db.js';
import { authenticate } from './auth.js';
import type { AppDeps } from './deps.js';
import { toErrorResponse } from './errors.js';
import { parseJsonBodies } from './json-body.js';
import { DOCS_PAGE, finishDocument, OPENAPI_DOCUMENT } from './openapi.js';
import { validatorCompiler } from './validation.js';
import { createMetrics, instrument } from './metrics.js';
import { Readiness, refuseWhileMigrating } from './readiness.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { automationRunRoutes } from './routes/automation-runs.js';
import { automationRoutes } from './routes/automations.js';
import { customAttributeRoutes } from './routes/custom-attributes.js';
import { entityRoutes } from './routes/entities.js';
import { executionRetryRoutes } from './routes/execution-retries.js';
import { executionRoutes } from './routes/executions.js';
import { hookRunRoutes } from './routes/hook-runs.js';
import { inboundRoutes } from './routes/inbound.js';
import { hookRoutes } from './routes/hooks.js';
import { integrationRoutes } from './routes/integrations.js';
import { opsRoutes } from './routes/ops.js';
import { secretRoutes } from './routes/secrets.js';
import { executionEventRoutes } from './routes/execution-events.js';
import { meRoutes } from './routes/me.js';
import { registerWebUi } from './web-ui.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    config: Config;
  }
}

/** The `/v1` route groups, each an encapsulated plugin given the app's dependencies. */
const V1_ROUTES: ReadonlyArray<FastifyPluginAsync<AppDeps>> = [
  meRoutes,
  apiKeyRoutes,
  integrationRoutes,
  secretRoutes,
  hookRoutes,
  hookRunRoutes,
  executionRoutes,
  executionRetryRoutes,
  executionEventRoutes,
  customAttributeRoutes,
  entityRoutes,
  automationRoutes,
  automationRunRoutes,
];

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = fastify({
    logger: deps.logger ? { level: config.logLevel, ...(typeof deps.logger === 'object' && { stream: deps.logger.stream }) } : false,
    bodyLimit: config.bodyLimit,
    // Paths refused before routing (a broken escape, an over-long parameter) answer in the API's shape too.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = toErrorResponse(error, config.bodyLimit);
      // Typed for any route's schema; these answers belong to no route.
      void (reply as unknown as FastifyReply).status(status).send(body);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (deps.onSend) app.addHook('onSend', deps.onSend);
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers (and tests check them): they must not drop or convert what a handler sends.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  parseJsonBodies(app);
  app.decorate('store', deps.store);
  app.decorate('config', config);
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body, retryAfterSeconds } = toErrorResponse(error, config.bodyLimit);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
    return reply.status(status).send(body);
  });
  const uiFallback = await registerWebUi(app, deps.webDir);
  app.setNotFoundHandler(
    async (request, reply) =>
      uiFallback(request, reply) ?? reply.status(404).send({ error: { code: 'HY_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  const registry = deps.registry ?? createMetrics();
  const readiness = deps.readiness ?? new Readiness();
  instrument(app, registry);

  await app.register(swagger, { openapi: { openapi: '3.0.3', ...structuredClone(OPENAPI_DOCUMENT) }, transformObject: finishDocument as never });
  await app.register(swaggerUi, { routePrefix: '/docs', ...structuredClone(DOCS_PAGE) });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(opsRoutes, { registry, readiness, db: deps.store.db });
  await app.register(inboundRoutes, deps);

  await app.register(
    async (v1) => {
      refuseWhileMigrating(v1, readiness);
      authenticate(v1);
      for (const routes of V1_ROUTES) await v1.register(routes, deps);
    },
    { prefix: '/v1' },
  );
  return app;
}
