/**
 * The JSON body parser of the whole app: Fastify's own (prototype poisoning refused),
 * then one check of what was parsed (src/domain/json-input.ts), so that no route,
 * validator or store ever sees a body nested too deep, a string that is not
 * well-formed Unicode or a number that is not finite. Each is answered 400 naming the
 * field, as `body/<path>`.
 */
import type { FastifyInstance } from 'fastify';
import { jsonInputError } from '../domain/json-input.js';

/** Replaces the app's `application/json` parser; call before any route is registered. */
export function parseJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const refused = jsonInputError(value, 'body');
      if (refused) return done(refused, undefined);
      done(null, value);
    });
  });
}
