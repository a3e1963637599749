/**
 * Checks every answer of a test app against the response schema its route documents
 * in /openapi.json: the status must be documented (or the route has a `default`),
 * and the body must match, extra fields included. A mismatch is loud: the answer is
 * replaced by a 500 that says what differs, and the app's `dispose()` throws with
 * every mismatch seen, so no suite passes over one.
 *
 * Answers an API hook chose (a pre-hook's stop, a post-hook's responseOverride) are
 * the hook's, not the API's contract, and are not checked.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';

const addFormats = addFormatsModule.default;

export interface ResponseCheck {
  readonly onSend: onSendHookHandler;
  /** Every mismatch so far, one line each. */
  readonly mismatches: string[];
  /** Routes and statuses checked, as `GET /v1/hooks/:id 200`. */
  readonly checked: Set<string>;
}

export function createResponseCheck(): ResponseCheck {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();
  const mismatches: string[] = [];
  const checked = new Set<string>();

  const validatorOf = (schema: object) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    return validate;
  };

  function problem(request: FastifyRequest, reply: FastifyReply, payload: unknown): string | undefined {
    const schemas = request.routeOptions.schema?.response as Record<string, object> | undefined;
    if (!schemas || request.routeOptions.schema?.hide) return undefined;
    if ((request as { answeredByHook?: boolean }).answeredByHook) return undefined;
    const status = reply.statusCode;
    const schema = schemas[status] ?? schemas[`${Math.floor(status / 100)}XX`] ?? schemas.default;
    if (!schema) return `status ${status} is not documented (documented: ${Object.keys(schemas).join(', ')})`;
    checked.add(`${request.method} ${request.routeOptions.url} ${status}`);
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload === undefined || payload === null ? '' : undefined;
    if (text === undefined) return undefined; // a stream: not JSON the schemas describe
    if (status === 204) return text === '' ? undefined : `a 204 has a body: ${text.slice(0, 200)}`;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `the body is not JSON: ${text.slice(0, 200)}`;
    }
    const validate = validatorOf(schema);
    if (validate(body)) return undefined;
    return `${ajv.errorsText(validate.errors, { dataVar: 'body' })} — body: ${text.slice(0, 500)}`;
  }

  const onSend: onSendHookHandler = async (request, reply, payload) => {
    const found = problem(request, reply, payload);
    if (found === undefined) return payload;
    const line = `${request.method} ${request.url} → ${reply.statusCode}: ${found}`;
    mismatches.push(line);
    console.error(`[response check] ${line}`);
    void reply.status(500).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({ error: { code: 'HY_INTERNAL', message: `the answer does not match the documented schema: ${line}` } });
  };

  return { onSend, mismatches, checked };
}
