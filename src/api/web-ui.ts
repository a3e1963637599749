/**
 * The web UI: the static files `npm run build` writes to `dist/web/`, served at `/`.
 * Paths the UI routes itself (`/integrations/…`) answer its index.html (the SPA
 * fallback); the API's own paths never do, so a wrong API URL still gets the API's 404.
 */
import fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build` puts the UI, next to the compiled server. */
export const WEB_DIR = new URL('../web/', import.meta.url).pathname;

/** Paths that belong to the API and the operations routes, never to the UI. */
const API_PATHS = /^\/(v1|inbound|docs)(\/|$)|^\/(openapi\.json|healthz|readyz|metrics)$/;

/** What answers a path no route matched: the UI's index.html, or `undefined` when that path is not the UI's. */
export type UiFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

/**
 * Serves the built UI from `dir` and returns the fallback for the not-found handler.
 * Without a build, UI paths answer 503 with how to build it.
 */
export async function registerWebUi(app: FastifyInstance, dir: string = WEB_DIR): Promise<UiFallback> {
  const built = fs.existsSync(`${dir}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      // One route per built file: no wildcard route that would catch the API's unknown paths.
      wildcard: false,
      index: false,
      // The build writes a .br and a .gz beside each asset (web/precompress.ts).
      preCompressed: true,
      // The headers below say how long each file keeps; send's own max-age would overwrite them.
      cacheControl: false,
      setHeaders(res, file) {
        // Hashed asset names change with their content; index.html must be read anew.
        res.setHeader('cache-control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  return (request, reply) => {
    const path = request.url.split('?')[0];
    if ((request.method !== 'GET' && request.method !== 'HEAD') || API_PATHS.test(path) || path.startsWith('/assets/')) return undefined;
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web UI is not built. Run "npm run build" (it builds the server and the UI), then start hookyard again. The API is at /v1, its documentation at /docs.\n');
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
}
