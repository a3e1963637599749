/**
 * Every error answer has one shape, `{ error: { code, message, details? } }` (SPEC §10).
 * This turns anything thrown in a request into that shape and its status.
 */
import { coerceError, HookyardError, type ErrorCode } from '../domain/errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

interface FastifyishError extends Error {
  code?: string;
  statusCode?: number;
  validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
}

/** Where a validation error points: `body/teamAllocations/0/fte`, or the missing property. */
function validationPath(context: string | undefined, item: NonNullable<FastifyishError['validation']>[number]): string {
  const missing = item.params?.missingProperty;
  const base = `${context ?? 'body'}${item.instancePath}`;
  return typeof missing === 'string' ? `${base}/${missing}` : base;
}

export function toErrorResponse(thrown: unknown, bodyLimit: number): { status: number; body: ErrorBody; retryAfterSeconds?: number } {
  const err = coerceError(thrown) as FastifyishError;
  if (err instanceof HookyardError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    return { status: err.status, body, ...(err.retryAfterSeconds !== undefined && { retryAfterSeconds: err.retryAfterSeconds }) };
  }
  if (err.validation) {
    const details = err.validation.map((v) => ({ path: validationPath(err.validationContext, v), message: v.message ?? 'is invalid' }));
    return { status: 400, body: { error: { code: 'HY_VALIDATION', message: err.message, details } } };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: { code: 'HY_PAYLOAD_TOO_LARGE', message: `request body is larger than the limit of ${bodyLimit} bytes` } } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: { code: 'HY_BAD_REQUEST', message: `body is not valid JSON: ${err.message}` } } };
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return { status: 400, body: { error: { code: 'HY_BAD_REQUEST', message: `body is not valid JSON: ${err.message}` } } };
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, body: { error: { code: 'HY_BAD_REQUEST', message: err.message } } };
  }
  return { status: 500, body: { error: { code: 'HY_INTERNAL', message: 'internal error' } } };
}
