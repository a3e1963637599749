/**
 * Every error answer has one shape, `{ error: { code, message, details? } }` (docs/api.md).
 * This turns anything thrown in a request into that shape and its status.
 */
import type { ErrorObject } from 'ajv';
import { coerceError, HookyardError, type ErrorCode } from '../domain/errors.js';
import { ajvIssues } from './validation.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

interface FastifyishError extends Error {
  code?: string;
  statusCode?: number;
  validation?: ErrorObject[];
  validationContext?: string;
}


function notJson(err: Error): { status: number; body: ErrorBody } {
  const message = `body is not valid JSON: ${err.message}`;
  return { status: 400, body: { error: { code: 'HY_BAD_REQUEST', message, details: [{ path: 'body', message }] } } };
}

/** Every 400 lists its issues as `details: [{ path, message }]`, an empty list when it names no field. */
function withIssues<T extends { status: number; body: ErrorBody }>(answer: T): T {
  if (answer.status === 400 && !Array.isArray(answer.body.error.details)) answer.body.error.details = [];
  return answer;
}

export function toErrorResponse(thrown: unknown, bodyLimit: number): { status: number; body: ErrorBody; retryAfterSeconds?: number } {
  return withIssues(errorAnswer(thrown, bodyLimit));
}

function errorAnswer(thrown: unknown, bodyLimit: number): { status: number; body: ErrorBody; retryAfterSeconds?: number } {
  const err = coerceError(thrown) as FastifyishError;
  if (err instanceof HookyardError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    return { status: err.status, body, ...(err.retryAfterSeconds !== undefined && { retryAfterSeconds: err.retryAfterSeconds }) };
  }
  if (err.validation) {
    const details = ajvIssues(err.validationContext, err.validation);
    return { status: 400, body: { error: { code: 'HY_VALIDATION', message: details.map((d) => d.message).join('; '), details } } };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: { code: 'HY_PAYLOAD_TOO_LARGE', message: `request body is larger than the limit of ${bodyLimit} bytes` } } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return notJson(err);
  }
  if (err instanceof SyntaxError && err.statusCode === 400) return notJson(err);
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, body: { error: { code: 'HY_BAD_REQUEST', message: err.message } } };
  }
  return { status: 500, body: { error: { code: 'HY_INTERNAL', message: 'internal error' } } };
}
