/**
 * Turning how a run ended into the status, value and error of its {@link RunResult},
 * with secrets redacted and positions in the user's own source.
 */
import { HookyardError, coerceError } from '../domain/errors.js';
import type { PreparedSource } from './compile.js';
import type { LimitName, Limits } from './limits.js';
import { limitMessage } from './limits.js';
import type { Redactor } from './redact.js';
import type { Outcome } from './session.js';
import { mapStack } from './stack.js';
import type { JsonValue, RunError, RunStatus } from './types.js';

/** The verdict on a run, and whether its isolate may be used again. */
export interface Verdict {
  readonly status: RunStatus;
  readonly value?: JsonValue;
  readonly error?: RunError;
  /** The isolate broke a limit or is in an unknown state: dispose it. */
  readonly discard: boolean;
}

interface IsolateError {
  readonly name?: string;
  readonly message?: string;
  readonly stack?: string;
  readonly code?: string;
}

type Envelope =
  | { ok: true; value?: JsonValue }
  | { ok: false; error?: IsolateError; limit?: LimitName; size?: number };

/** Judges `outcome` under `limits`, for code `source`, redacting with `redactor`. */
export function judge(outcome: Outcome, source: PreparedSource | undefined, limits: Limits, redactor: Redactor): Verdict {
  const limitError = (limit: LimitName, message: string): RunError => ({ message: redactor.text(message), stack: '', limit });
  switch (outcome.kind) {
    case 'timeout':
      return { status: 'timed_out', error: limitError('timeMs', limitMessage('timeMs', limits)), discard: true };
    case 'breach':
      return { status: 'failed', error: limitError(outcome.breach.limit, outcome.breach.message), discard: true };
    case 'crashed':
      return crashed(outcome.error, source, limits, redactor);
    case 'returned': {
      const envelope = JSON.parse(outcome.envelope) as Envelope;
      if (envelope.ok) {
        const size = Buffer.byteLength(outcome.envelope) - 20;
        if (size > limits.resultBytes) {
          return { status: 'failed', error: limitError('resultBytes', limitMessage('resultBytes', limits, `got ${size} bytes`)), discard: true };
        }
        return { status: 'completed', value: redactor.json(envelope.value), discard: false };
      }
      if (envelope.limit) {
        const detail = envelope.size === undefined ? '' : `got ${envelope.size} characters`;
        return { status: 'failed', error: limitError(envelope.limit, limitMessage(envelope.limit, limits, detail)), discard: true };
      }
      const error = envelope.error ?? {};
      if (/^Array buffer allocation failed/.test(error.message ?? '')) {
        return { status: 'failed', error: limitError('memoryMb', limitMessage('memoryMb', limits, 'an ArrayBuffer allocation was refused')), discard: true };
      }
      return { status: 'failed', error: userError(error, source, redactor), discard: false };
    }
  }
}

function crashed(thrown: unknown, source: PreparedSource | undefined, limits: Limits, redactor: Redactor): Verdict {
  const err = coerceError(thrown);
  if (err instanceof HookyardError && err.code === 'HY_VALIDATION') {
    const details = (err.details ?? {}) as { line?: number; column?: number };
    return { status: 'failed', error: { message: redactor.text(err.message), stack: '', line: details.line, column: details.column }, discard: false };
  }
  if (/timed out/i.test(err.message)) {
    return { status: 'timed_out', error: { message: limitMessage('timeMs', limits), stack: '', limit: 'timeMs' }, discard: true };
  }
  if (/memory limit/i.test(err.message)) {
    return { status: 'failed', error: { message: limitMessage('memoryMb', limits), stack: '', limit: 'memoryMb' }, discard: true };
  }
  // An error thrown by the hook's top-level code, or the isolate failing under us.
  return { status: 'failed', error: userError(err, source, redactor), discard: true };
}

function userError(e: IsolateError, source: PreparedSource | undefined, redactor: Redactor): RunError {
  const name = e.name || 'Error';
  const message = e.message ?? '';
  const text = name === 'Error' || message.startsWith(`${name}:`) ? message : `${name}: ${message}`;
  const mapped = source && e.stack ? mapStack(e.stack, source) : undefined;
  return {
    message: redactor.text(text),
    stack: redactor.text(mapped?.stack ?? ''),
    ...(mapped?.position ?? {}),
    ...(e.code ? { code: redactor.text(e.code) } : {}),
  };
}
