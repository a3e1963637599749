/**
 * The `request` fixture of an inbound hook's dry run (`{ method, path, headers, query,
 * body, rawBody }`), read into the call a sender would have made, so the hook sees the
 * same `ctx.request` as on a real call. A member left out comes from the sample request
 * (its body too, unless the fixture gives `body` or `rawBody`); a body given only as
 * `rawBody` is parsed as a real call's would be, one given only as `body` is sent as its
 * JSON text.
 */
import { validationError } from '../../domain/errors.js';
import { issue, type FieldIssue } from '../../domain/field-issues.js';
import type { Hook } from '../../domain/hooks.js';
import { sampleInboundRequest } from '../sample-fixtures.js';
import { parseBody } from './inbound-call.js';
import type { InboundCall } from './inbound-route.js';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The call and its parsed body; throws a 400 naming the member that is wrong, under `where`
 * (the API's `body/request`, or `hookyard run`'s `--request`).
 */
export function readInboundFixture(fixture: unknown, hook: Pick<Hook, 'method' | 'path'>, orgSlug: string, where = 'body/request'): { call: InboundCall; body: unknown } {
  const ROOT = where;
  if (fixture !== undefined && !isObject(fixture)) throw validationError([issue(ROOT, 'must be an object')]);
  const given = fixture ?? {};
  const { body: sampleBody, ...sample } = sampleInboundRequest(hook);
  // The body and its text go together: both from the fixture when it gives either.
  const request: Record<string, unknown> = { ...sample, ...('body' in given || 'rawBody' in given ? {} : { body: sampleBody }), ...given };
  const issues: FieldIssue[] = [];
  const { method, path, headers, query, rawBody } = request;
  for (const name of Object.keys(given)) {
    if (!['method', 'path', 'headers', 'query', 'body', 'rawBody'].includes(name)) issues.push(issue(`${ROOT}/${name}`, 'is not a member of a request (method, path, headers, query, body, rawBody)'));
  }
  if (typeof method !== 'string' || !/^[A-Z]+$/.test(method)) issues.push(issue(`${ROOT}/method`, 'must be an HTTP method in capitals, such as "POST"'));
  if (typeof path !== 'string') issues.push(issue(`${ROOT}/path`, 'must be a string'));
  if (!isObject(headers) || Object.values(headers).some((v) => typeof v !== 'string')) issues.push(issue(`${ROOT}/headers`, 'must be an object of strings'));
  if (!isObject(query) || Object.values(query).some((v) => typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))) {
    issues.push(issue(`${ROOT}/query`, 'must be an object of strings or arrays of strings'));
  }
  if (rawBody !== undefined && typeof rawBody !== 'string') issues.push(issue(`${ROOT}/rawBody`, 'must be a string'));
  if (issues.length > 0) throw validationError(issues);

  const text = rawBody !== undefined ? (rawBody as string) : request.body === undefined ? '' : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const call: InboundCall = {
    orgSlug,
    path: path as string,
    method: method as string,
    // A real call's header names arrive in lower case.
    headers: Object.fromEntries(Object.entries(headers as Record<string, string>).map(([name, value]) => [name.toLowerCase(), value])),
    query: query as InboundCall['query'],
    rawBody: Buffer.from(text, 'utf8'),
  };
  if ('body' in request) return { call, body: request.body };
  const parsed = parseBody(call);
  if (!parsed.ok) throw validationError([issue(`${ROOT}/rawBody`, parsed.reason)]);
  return { call, body: parsed.value };
}
