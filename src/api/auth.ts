/**
 * Bearer-key authentication and role checks for `/v1`. Every route states the role
 * it needs in `config.role`; without it, reads need `viewer` and writes `editor`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { looksLikeApiKey, roleAllows, type Role } from '../domain/api-keys.js';
import { HookyardError } from '../domain/errors.js';
import { authenticateApiKey, type Principal } from '../store/api-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route. */
    role?: Role;
  }
  interface FastifyRequest {
    /** The caller; set on every `/v1` request that passed authentication. */
    principal: Principal;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerKey(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new HookyardError('HY_UNAUTHORIZED', 'missing Authorization: Bearer <api key> header');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new HookyardError('HY_UNAUTHORIZED', 'Authorization header must be "Bearer <api key>"');
  return match[1];
}

/** Adds authentication to every route registered in `scope` (after this call). */
export function authenticate(scope: FastifyInstance): void {
  scope.decorateRequest('principal', null as unknown as Principal);
  scope.addHook('onRequest', async (request) => {
    const key = bearerKey(request);
    const principal = looksLikeApiKey(key) ? await authenticateApiKey(scope.store.db, key) : undefined;
    if (!principal) throw new HookyardError('HY_UNAUTHORIZED', 'API key is not valid or has been revoked');
    const required = request.routeOptions.config.role ?? (READ_METHODS.has(request.method) ? 'viewer' : 'editor');
    if (!roleAllows(principal.role, required)) {
      throw new HookyardError('HY_FORBIDDEN', `this needs the ${required} role; the key has ${principal.role}`);
    }
    request.principal = principal;
  });
}
