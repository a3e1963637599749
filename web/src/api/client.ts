/**
 * The one API client: openapi-fetch over the types generated from the server's OpenAPI
 * document (schema.d.ts). Every request carries the signed-in key; nothing else in the
 * UI calls `fetch`.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { session } from './session';

export type { paths };

/** The JSON body of a path's answer with `status` to `method`. */
export type Answer<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

/** The JSON body a path's `method` takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type Hook = Answer<'/v1/hooks/{id}', 'get'>;
export type Integration = Answer<'/v1/integrations/{id}', 'get'>;
export type Execution = Answer<'/v1/executions/{id}', 'get'>;
export type Me = Answer<'/v1/me', 'get'>;
export type Role = Me['role'];
export type HookType = Hook['type'];
export type EntityType = NonNullable<Hook['entityType']>;

const auth: Middleware = {
  onRequest({ request }) {
    const key = session.key();
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ response }) {
    // A key revoked meanwhile: back to the sign-in screen.
    if (response.status === 401 && session.key()) session.signOut();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);
