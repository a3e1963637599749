/**
 * Coded errors. Every error the platform raises on purpose is a {@link HookyardError}
 * with an `HY_*` code and the HTTP status it maps to, so the API, the CLI and the
 * execution log all speak the same language.
 */
import { issue, type FieldIssue } from './field-issues.js';

/** Error codes and the HTTP status each one answers with. */
export const ERROR_STATUS = Object.freeze({
  HY_BAD_REQUEST: 400,
  HY_VALIDATION: 400,
  HY_UNAUTHORIZED: 401,
  HY_FORBIDDEN: 403,
  HY_NOT_FOUND: 404,
  HY_CONFLICT: 409,
  HY_VERSION_MISMATCH: 409,
  HY_PAYLOAD_TOO_LARGE: 413,
  HY_UNPROCESSABLE: 422,
  HY_RATE_LIMITED: 429,
  HY_INTERNAL: 500,
  HY_BAD_GATEWAY: 502,
  HY_UNAVAILABLE: 503,
} as const);

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error with a stable code, an HTTP status and optional structured details. */
export class HookyardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  /** For 429 and 503: when to try again (the API sends it as `Retry-After`). */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HookyardError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (options.details !== undefined) this.details = options.details;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * 400 `HY_VALIDATION`: the input is wrong. `details` is always the list of issues, each
 * `{ path, message }` naming its field (`body/teamAllocations/0/fte`); the message is
 * theirs, joined by "; ".
 */
export function validationError(issues: readonly FieldIssue[], options: { cause?: unknown } = {}): HookyardError {
  return new HookyardError('HY_VALIDATION', issues.map((i) => i.message).join('; '), { details: issues, ...options });
}

/** {@link validationError} of one field: `invalidField('query/limit', 'must be an integer')`. */
export function invalidField(path: string, text: string): HookyardError {
  return validationError([issue(path, text)]);
}

export function notFound(what: string): HookyardError {
  return new HookyardError('HY_NOT_FOUND', `${what} not found`);
}

/**
 * Turns anything thrown into an Error. Hook code and libraries may throw strings,
 * plain objects or null; every boundary (sandbox, jobs, HTTP) calls this first.
 */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  if (thrown && typeof thrown === 'object' && typeof (thrown as { message?: unknown }).message === 'string') {
    const err = new Error((thrown as { message: string }).message);
    const stack = (thrown as { stack?: unknown }).stack;
    if (typeof stack === 'string') err.stack = stack;
    return err;
  }
  let text: string;
  try {
    text = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    text = String(thrown);
  }
  return new Error(`Non-error thrown: ${text}`);
}
