/**
 * Request validation of every route with a schema: strict JSON for bodies (no type
 * coercion: `"5"` is not `5`, `1` is not `true`, `["admin"]` is not `"admin"`; unknown
 * fields refused), and for the parts that are text on the wire — query string, path
 * parameters, headers — a string is read as the number, integer or boolean its schema
 * declares, and nothing else (a repeated parameter is not turned into an array).
 * Ajv's errors become the API's issues, `{ path, message }` under the request part.
 */
import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { issue, type FieldIssue } from '../domain/field-issues.js';

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the module object.
const addFormats = addFormatsModule.default;

const COMMON: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false, addUsedSchema: false };

function ajvWith(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ ...COMMON, coerceTypes });
  addFormats(ajv);
  return ajv;
}

const strict = ajvWith(false);
const textParts = ajvWith(true);

/** The app's validator compiler: strict for bodies, text→scalar as declared elsewhere. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : textParts).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeText(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_NAMES[t] ?? t).join(' or ');
}

/** The sentence after the path, for one Ajv error. */
function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'type':
      return `must be ${typeText(p.type)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${p.limit} characters`;
    case 'maxLength':
      return `must have at most ${p.limit} characters`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'minItems':
      return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${p.limit} items`;
    case 'uniqueItems':
      return `must not repeat an item (items ${p.j} and ${p.i} are the same)`;
    case 'pattern':
      return `must match ${p.pattern}`;
    case 'format':
      return `must be ${p.format === 'email' ? 'an email address' : `a ${p.format}`}`;
    case 'minProperties':
      return `must have at least ${p.limit} field${p.limit === 1 ? '' : 's'}`;
    default:
      return error.message ?? 'is not valid';
  }
}

/** Where an error points, from the request part's root: `enabled`, `remote/url`, the missing or unknown field. */
function pathOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  const child = error.keyword === 'required' ? p.missingProperty : error.keyword === 'additionalProperties' ? p.additionalProperty : undefined;
  const base = error.instancePath.slice(1);
  return typeof child === 'string' ? (base === '' ? child : `${base}/${child}`) : base;
}

/**
 * Ajv's errors as issues under `part` (`body`, `querystring` → `query`, `params`,
 * `headers`). A value that matches no branch of a union (`string | null`) is one issue
 * naming what it may be, not one per branch.
 */
export function ajvIssues(part: string | undefined, errors: readonly ErrorObject[]): FieldIssue[] {
  const root = part === undefined ? 'body' : part === 'querystring' ? 'query' : part;
  const isUnion = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';
  const unions = new Set(errors.filter(isUnion).map((e) => e.instancePath));
  // A branch's type mismatch says only that the value took another branch.
  const informative = errors.filter((e) => !isUnion(e) && !(e.keyword === 'type' && unions.has(e.instancePath)));
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const error of errors) {
    let text: string;
    if (isUnion(error)) {
      const at = error.instancePath;
      if (informative.some((e) => e.instancePath === at || e.instancePath.startsWith(`${at}/`))) continue;
      const types = errors.filter((e) => e.instancePath === at && e.keyword === 'type').map((e) => (e.params as { type: unknown }).type);
      text = types.length > 0 ? `must be ${typeText(types.flat())}` : 'is not one of the allowed forms';
    } else if (informative.includes(error)) text = describe(error);
    else continue;
    const found = issue(pathOf(error), text);
    if (seen.has(found.path)) continue;
    seen.add(found.path);
    issues.push(found.path === '' ? { path: root, message: `${root} ${text}` } : { path: `${root}/${found.path}`, message: `${root}/${found.message}` });
  }
  return issues;
}
