/**
 * `http_request` (`method`, `url`, `headers?`, `body?`): one request under the hooks'
 * egress policy (HTTPS only, private addresses refused, the checked address pinned,
 * redirects answered rather than followed, the response cut at the hooks' size limit),
 * within the run's time and at most {@link HTTP_TIMEOUT_MS}. A non-2xx answer fails
 * the action with its status and the start of its body. The HTTP log entry shows the
 * URL with any user name and password in it redacted, and no header values.
 */
import { HookyardError, coerceError } from '../../../domain/errors.js';
import { issue } from '../../../domain/field-issues.js';
import { EgressError, RECORD_BOUNDS, cut } from '../../../sandbox/index.js';
import type { ActionContext, ActionDefinition } from './action.js';
import { checkParams, headerNameProblem, renderedParams, stringMap, type ParamRule } from './params.js';
import { credentialsOf } from './url-credentials.js';

/** The longest one request may take, whatever time the run has left. */
export const HTTP_TIMEOUT_MS = 30_000;

/** How much of a failed answer's body its error quotes. */
const ERROR_BODY_CHARS = 500;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

// The transport's own headers, as hooks' requests drop them (User-Agent is fixed).
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  'host', 'user-agent', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer',
]);

/** The params of `http_request`, rendered. */
export interface HttpRequestParams {
  readonly method: (typeof METHODS)[number];
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as it is; any other JSON value as JSON. */
  readonly body?: unknown;
  readonly [key: string]: unknown;
}

function headerProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  return headerNameProblem(name) ?? (TRANSPORT_HEADERS.has(lower) || lower.startsWith('proxy-') ? 'is set by the transport and cannot be given' : undefined);
}

const RULES: Readonly<Record<string, ParamRule>> = {
  method: {
    required: true,
    kinds: ['string'],
    check: (value, path) => ((METHODS as readonly unknown[]).includes(value) ? [] : [issue(path, `must be one of ${METHODS.join(', ')}`)]),
  },
  url: {
    required: true,
    kinds: ['string'],
    check: (value, path) => {
      if (!URL.canParse(value as string)) return [issue(path, 'must be an absolute URL')];
      return new URL(value as string).protocol === 'https:' ? [] : [issue(path, 'must be an https URL')];
    },
  },
  headers: { kinds: ['object'], check: stringMap(headerProblem) },
  body: {},
};

/** The response as `actions.NAME.response` holds it. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed when the answer says it is JSON (and parses); else the text. */
  readonly body: unknown;
}

const JSON_TYPE = /[/+]json\b/i;

function readBody(headers: Readonly<Record<string, string>>, text: string): unknown {
  const type = headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type) || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function send(params: HttpRequestParams, ctx: ActionContext): Promise<HttpResponse> {
  const egress = ctx.deps.egress;
  if (!egress) throw new HookyardError('HY_UNAVAILABLE', 'http_request is not available: this process has no outbound HTTP client');
  const { method, url } = params;
  const target = new URL(url);
  // A password (or user name) in the URL is a credential: the log shows where the request went, not it.
  const redactor = credentialsOf(target, 'url');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(params.headers ?? {})) headers[name.toLowerCase()] = value;
  let body: string | undefined;
  if (typeof params.body === 'string') body = params.body;
  else if (params.body !== undefined) {
    body = JSON.stringify(params.body);
    headers['content-type'] ??= 'application/json';
  }
  const requestBytes = body === undefined ? 0 : Buffer.byteLength(body);
  const entry = { method, url: cut(redactor.text(target.href), RECORD_BOUNDS.urlChars), requestBytes };
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]);
  const maxResponseBytes = ctx.deps.sandbox.limits('inbound').httpResponseBytes;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  let res;
  try {
    res = await egress.send({ method, url: target.href, headers, body, signal, maxResponseBytes });
  } catch (thrown) {
    const e = thrown instanceof EgressError ? thrown : new EgressError('CONNECTION_FAILED', coerceError(thrown).message, { cause: thrown });
    const message = cut(redactor.text(`${e.code}: ${e.message}`), RECORD_BOUNDS.errorMessageChars);
    ctx.http({ ...entry, status: 0, durationMs: elapsed(), responseBytes: e.code === 'RESPONSE_TOO_LARGE' ? maxResponseBytes : 0, error: message });
    throw new HookyardError('HY_BAD_GATEWAY', `${method} ${entry.url} failed: ${message}`, { cause: e });
  }
  ctx.http({ ...entry, status: res.status, durationMs: elapsed(), responseBytes: res.body.length });
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status > 299) {
    const start = text.length > ERROR_BODY_CHARS ? `${text.slice(0, ERROR_BODY_CHARS)}…` : text;
    throw new HookyardError('HY_BAD_GATEWAY', `${method} ${entry.url} answered ${res.status}${start === '' ? '' : `: ${redactor.text(start)}`}`, {
      details: { status: res.status },
    });
  }
  return { status: res.status, headers: res.headers, body: readBody(res.headers, text) };
}

const httpRequest: ActionDefinition<HttpRequestParams> = {
  type: 'http_request',
  validate: (params) => checkParams(params, RULES, 'saved'),
  async run(params, ctx) {
    const response = await send(renderedParams<HttpRequestParams>(params, RULES), ctx);
    return { responseStatus: response.status, response };
  },
};

export default httpRequest;
