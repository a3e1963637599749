/**
 * `ANY /inbound/{orgSlug}/{path}`: webhooks from outside, answered by an inbound hook.
 * No API key: a call is let in by its route and, when the hook says so, its signature.
 * The body is read raw (signatures are over the exact bytes), at most 1 MB (413 past it).
 */
import type { FastifyPluginAsync } from 'fastify';
import { ExecutionRecorder } from '../../engine/execution-recorder.js';
import { handleInbound } from '../../engine/inbound/inbound-call.js';
import { TokenBuckets } from '../../engine/inbound/rate-limit.js';
import type { AppDeps } from '../deps.js';

/** Largest inbound body, in bytes. */
export const INBOUND_BODY_LIMIT = 1024 * 1024;

export const inboundRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const { config } = deps;
  const recorder = new ExecutionRecorder(deps.store.db);
  const inbound = {
    ...deps,
    recorder,
    perHook: new TokenBuckets({ perSecond: config.inboundRatePerHook, burst: 2 * config.inboundRatePerHook }),
    perOrg: new TokenBuckets({ perSecond: config.inboundRatePerOrg, burst: 2 * config.inboundRatePerOrg }),
  };
  app.addHook('onClose', () => recorder.flush());

  // Whatever the content type, the hook gets the exact bytes (and the parsed body when it is JSON or a form).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INBOUND_BODY_LIMIT }, (_request, body, done) => done(null, body));

  // Every answer counts, the ones Fastify gives before the handler (413) too.
  app.addHook('onResponse', async (_request, reply) => deps.metrics?.inboundCall?.(reply.statusCode, reply.elapsedTime));

  app.all<{ Params: { orgSlug: string; '*': string } }>('/inbound/:orgSlug/*', { schema: { hide: true }, bodyLimit: INBOUND_BODY_LIMIT }, async (request, reply) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const answer = await handleInbound(inbound, {
      orgSlug: request.params.orgSlug,
      path: request.params['*'],
      method: request.method,
      headers,
      query: request.query as Record<string, string | string[]>,
      rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    });
    void reply.status(answer.status).headers(answer.headers);
    return typeof answer.body === 'string' ? reply.type(answer.headers['content-type'] ?? 'text/plain; charset=utf-8').send(answer.body) : reply.send(answer.body);
  });
};
