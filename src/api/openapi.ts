/**
 * What `/openapi.json` says besides the routes' own schemas: the document's info,
 * security scheme and tags, the one error shape, and {@link responses}, which gives
 * every operation its success answer and the `{ error }` answers it can give.
 * Response schemas document the API and are checked against real answers in tests
 * (test/helpers/response-check.ts); they do not filter what is sent.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_STATUS } from '../domain/errors.js';

/** One problem of a 400: `path` names the field under its request part, `message` starts with it. */
export const Issue = Type.Object(
  {
    path: Type.String({ description: 'body/…, query/…, params/… or headers/…, e.g. body/email' }),
    message: Type.String({ description: 'starts with the path: body/email must be an email address' }),
    line: Type.Optional(Type.Integer({ description: 'syntax errors: line in the hook source' })),
    column: Type.Optional(Type.Integer({ description: 'syntax errors: column in the hook source' })),
  },
  { additionalProperties: false },
);

/** The code of a pre-hook's stop with a status that has no code of its own. */
export const HOOK_REJECTION_CODE = 'HY_REJECTED_BY_HOOK';

/** `{ error: { code, message, details? } }`, the body of every error answer. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.Unsafe<string>({ type: 'string', enum: [...Object.keys(ERROR_STATUS), HOOK_REJECTION_CODE] }),
        message: Type.String(),
        details: Type.Optional(
          Type.Union([Type.Array(Issue), Type.Record(Type.String(), Type.Unknown())], {
            description: 'a 400: always the list of issues; 409 HY_VERSION_MISMATCH: { currentVersion }; 502: { hookId }',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'Error' },
);

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'HY_VALIDATION (a field is wrong; details lists every issue) or HY_BAD_REQUEST (body not JSON, malformed If-Match, an operation the hook type lacks)',
  401: 'HY_UNAUTHORIZED: no API key, or one that is not valid',
  403: "HY_FORBIDDEN: the key's role does not allow the call",
  404: "HY_NOT_FOUND: no such object in the key's organisation",
  409: 'HY_CONFLICT (a unique name is taken) or HY_VERSION_MISMATCH (If-Match names another version)',
  413: 'HY_PAYLOAD_TOO_LARGE: the body is over the limit (1 MB by default)',
  422: 'HY_UNPROCESSABLE: well-formed but not possible, such as a reference to a missing entity',
  429: 'HY_RATE_LIMITED: the organisation runs as many hooks as it may at once; Retry-After says when to try again',
  500: "HY_INTERNAL: a fault of Hookyard's",
  502: 'HY_BAD_GATEWAY: an API pre-hook failed',
};

/** A 204's empty answer. */
export const NoContent = Type.Null({ description: 'No Content' });

/** `{ items, nextCursor }` of every list. */
export function Page<T extends TSchema>(item: T, title: string) {
  return Type.Object(
    { items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as ?cursor= for the next page; null on the last' }) },
    { additionalProperties: false, title },
  );
}

/** What a route may answer, by status. */
interface RouteAnswers {
  /** The success answers. */
  readonly [status: number]: TSchema;
}

/** The error answers of routes by what they take: a body, a path id, a role above viewer. */
export interface ErrorKinds {
  readonly body?: boolean;
  readonly id?: boolean;
  readonly role?: boolean;
  /** Other error statuses the route gives (409, 422, 429, 502). */
  readonly also?: readonly number[];
}

function errorAnswer(status: number): TSchema {
  return { ...ErrorBody, description: ERROR_DESCRIPTIONS[status] ?? 'an error' };
}

/**
 * A route's `response` schemas: its success answers and the errors it can give.
 * Every `/v1` route can answer 401 and 500, and 400 for a bad query or path.
 *
 * @example schema: { response: responses({ 201: Integration }, { body: true, also: [409] }) }
 */
export function responses(success: RouteAnswers, kinds: ErrorKinds = {}): Record<number, TSchema> {
  const statuses = new Set([400, 401, 500, ...(kinds.body ? [413] : []), ...(kinds.id ? [404] : []), ...(kinds.role ? [403] : []), ...(kinds.also ?? [])]);
  const out: Record<number, TSchema> = { ...success };
  for (const status of [...statuses].sort((a, b) => a - b)) out[status] = errorAnswer(status);
  return out;
}

/** The document's info, servers-independent parts, security and tags. */
export const OPENAPI_DOCUMENT = Object.freeze({
  info: {
    title: 'Hookyard API',
    version: '1',
    description:
      'The REST API of Hookyard, a self-hostable platform for integration hooks. Every /v1 call needs `Authorization: Bearer <api key>`; ' +
      'errors are `{ "error": { "code", "message", "details"? } }`, lists `{ "items", "nextCursor" }`. See docs/api.md for the guide.',
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http' as const,
        scheme: 'bearer',
        bearerFormat: 'hyk_…',
        description: 'An API key: "hyk_" and at least 32 URL-safe characters. Roles: viewer (read), editor (write), admin (keys and secrets).',
      },
    },
  },
  security: [{ bearer: [] }],
  tags: [
    { name: 'api-keys', description: 'API keys of the organisation (role admin)' },
    { name: 'integrations', description: 'Connections to external systems, each with a sourceSystemKey' },
    { name: 'secrets', description: "An integration's write-only secrets, ctx.secrets in its hooks" },
    { name: 'hooks', description: 'Hook definitions: pull, push, pre, post' },
    { name: 'runs', description: 'Running a hook by hand, and dry runs' },
    { name: 'executions', description: 'The record of every run' },
    { name: 'custom-attributes', description: "Definitions of the organisation's extra entity fields" },
    { name: 'automations', description: 'No-code automations: a trigger, conditions and actions; their runs, dry runs and schedules' },
    { name: 'entities', description: 'Employees, vacancies, contractors, projects and assignments; wrapped by API pre- and post-hooks' },
  ],
});

/** Operations whose body may be left out (Fastify's document marks every body required). */
const OPTIONAL_BODIES: ReadonlyArray<readonly [path: string, method: string]> = [
  ['/v1/hooks/{id}/test', 'post'],
  ['/v1/automations/{id}/test', 'post'],
  ['/v1/automations/{id}/run', 'post'],
];

/** Final touches to the generated document. */
export function finishDocument<T extends { paths?: object }>({ openapiObject }: { openapiObject: T }): T {
  const paths = (openapiObject.paths ?? {}) as Record<string, Record<string, { requestBody?: { required?: boolean } } | undefined> | undefined>;
  for (const [path, method] of OPTIONAL_BODIES) {
    const body = paths[path]?.[method]?.requestBody;
    if (body) body.required = false;
  }
  return openapiObject;
}

/** The /docs page: the product's title and mark, not the UI library's. */
export const DOCS_PAGE = Object.freeze({
  theme: { title: 'Hookyard API' },
  logo: {
    type: 'image/svg+xml',
    content:
      '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="36" viewBox="0 0 180 36"><text x="0" y="27" font-family="sans-serif" font-size="26" font-weight="700" fill="#ffffff">Hookyard</text></svg>',
    href: '/docs',
    target: '_self' as const,
  },
});
