/**
 * Turning how a run ended into the status, value and error of its {@link RunResult}.
 * The verdict rests on what the platform observed — its own deadline, the isolate's
 * state and heap — never on the text of an error, which the hook controls. The hook's
 * own error text is kept verbatim (secrets redacted, cut to the record's bounds).
 */
import { HookyardError, coerceError } from '../domain/errors.js';
import { jsonTextDepth } from '../domain/json-depth.js';
import type { PreparedSource } from './compile.js';
import type { LimitName, Limits } from './limits.js';
import { RECORD_BOUNDS, cut, limitMessage } from './limits.js';
import type { Redactor } from './redact.js';
import type { Outcome } from './session.js';
import { mapStack } from './stack.js';
import type { JsonValue, RunError, RunResult, RunStatus, TextResult } from './types.js';

/** The verdict on a run, and whether its isolate may be used again. */
export interface Verdict {
  readonly status: RunStatus;
  /** The returned value as the isolate wrote it (read by {@link readValue}). */
  readonly valueText?: string;
  readonly error?: RunError;
  /** The isolate broke a limit or is in an unknown state: dispose it. */
  readonly discard: boolean;
}

/** What the platform saw of the isolate when the run ended. */
export interface Observed {
  /** isolated-vm disposed the isolate under us: it hit its heap limit. */
  readonly isolateDisposed: boolean;
  /** Heap plus external memory in use, in bytes. */
  readonly memoryBytes: number;
  /** Milliseconds left before the run's deadline. */
  readonly remainingMs: number;
}

// A call's timeout is the time left in the run, so an isolate that stopped for time did so
// at the deadline; this absorbs the clocks' jitter.
const DEADLINE_SLACK_MS = 5;
// An error raised while the heap is this full is taken as the heap limit (V8 refuses
// allocations, e.g. "Array buffer allocation failed", before the isolate is disposed).
const MEMORY_FULL = 0.8;

interface IsolateError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly stack?: unknown;
  readonly code?: unknown;
}

/** Judges `outcome` under `limits`, for code `source`, redacting with `redactor`. */
export function judge(outcome: Outcome, source: PreparedSource | undefined, limits: Limits, redactor: Redactor, observed: Observed): Verdict {
  const limitError = (limit: LimitName, detail = ''): RunError => ({ message: redactor.text(limitMessage(limit, limits, detail)), stack: '', limit });
  const memoryFull = observed.memoryBytes >= MEMORY_FULL * limits.memoryMb * 1024 * 1024;
  switch (outcome.kind) {
    case 'timeout':
      return { status: 'timed_out', error: limitError('timeMs'), discard: true };
    case 'breach':
      return { status: 'failed', error: { message: redactor.text(outcome.breach.message), stack: '', limit: outcome.breach.limit }, discard: true };
    case 'crashed': {
      const err = coerceError(outcome.error);
      if (err instanceof HookyardError && err.code === 'HY_VALIDATION') {
        const details = (err.details ?? {}) as { line?: number; column?: number };
        return { status: 'failed', error: { message: bounded(redactor, err.message), stack: '', line: details.line, column: details.column }, discard: false };
      }
      if (observed.isolateDisposed || memoryFull) return { status: 'failed', error: limitError('memoryMb'), discard: true };
      if (observed.remainingMs <= DEADLINE_SLACK_MS) return { status: 'timed_out', error: limitError('timeMs'), discard: true };
      // Thrown by the hook's top-level code: its own error, and the context is in an unknown state.
      return { status: 'failed', error: userError(err, source, redactor), discard: true };
    }
    case 'returned':
      return returned(outcome.envelope, source, limits, redactor, memoryFull, limitError);
  }
}

/** The envelope of a returned value as the bootstrap writes it: `{"ok":true,"value":…}`. */
const OK_PREFIX = '{"ok":true,"value":';

function unreadable(why: string): RunError {
  return { message: `The hook's result could not be read: ${why}`, stack: '' };
}

function returned(
  text: unknown,
  source: PreparedSource | undefined,
  limits: Limits,
  redactor: Redactor,
  memoryFull: boolean,
  limitError: (limit: LimitName, detail?: string) => RunError,
): Verdict {
  const unread = (why: string): Verdict => ({ status: 'failed', error: unreadable(why), discard: true });
  // The envelope is built by code the hook may have subverted (Promise.prototype.then, say):
  // it is untrusted text until proven otherwise.
  if (typeof text !== 'string') return unread('it is not JSON text');
  // The value's bytes: the envelope less its prefix and closing `}`.
  const size = Buffer.byteLength(text) - OK_PREFIX.length - 1;
  if (size > limits.resultBytes) return { status: 'failed', error: limitError('resultBytes', `got ${size} bytes`), discard: true };
  // Envelope, error object, value: the value's own nesting starts two levels down.
  if (jsonTextDepth(text, limits.jsonDepth + 1) > limits.jsonDepth + 1) {
    return { status: 'failed', error: limitError('jsonDepth', 'the returned value'), discard: false };
  }
  // A value is sliced out of the envelope, not parsed: readValue parses it where it is used.
  if (text === '{"ok":true}') return { status: 'completed', discard: false };
  if (text.startsWith(OK_PREFIX) && text.endsWith('}')) return { status: 'completed', valueText: text.slice(OK_PREFIX.length, -1), discard: false };
  let envelope: { ok?: unknown; value?: JsonValue; error?: IsolateError; limit?: unknown; size?: unknown };
  try {
    envelope = JSON.parse(text) as typeof envelope;
  } catch {
    return unread('it is not JSON');
  }
  if (envelope === null || typeof envelope !== 'object') return unread('it has the wrong shape');
  if (envelope.ok === true) return { status: 'completed', ...(envelope.value === undefined ? {} : { valueText: JSON.stringify(envelope.value) }), discard: false };
  if (envelope.limit === 'resultBytes') {
    const detail = typeof envelope.size === 'number' ? `got ${envelope.size} characters` : '';
    return { status: 'failed', error: limitError('resultBytes', detail), discard: true };
  }
  if (memoryFull) return { status: 'failed', error: limitError('memoryMb'), discard: true };
  return { status: 'failed', error: userError(envelope.error ?? {}, source, redactor), discard: false };
}

/**
 * The result with its value parsed. The text was written by the isolate's own
 * `JSON.stringify` and sliced from an envelope the hook may have subverted, so a text that
 * does not parse fails the run like an unreadable envelope.
 */
export function readValue({ valueText, ...result }: TextResult): RunResult {
  if (valueText === undefined) return result;
  try {
    // `value` before the spread: on Node 20's V8 a literal that starts with a spread and then
    // adds a property gets a hidden class of its own on every call (bench/README.md, Inbound,
    // "Peak RSS"); this one is made for every run.
    return { value: JSON.parse(valueText) as JsonValue, ...result };
  } catch {
    return { ...result, status: 'failed', error: unreadable('it is not JSON') };
  }
}

function bounded(redactor: Redactor, text: string, max: number = RECORD_BOUNDS.errorMessageChars): string {
  // Cut before redacting (bounded work), then again: a label is longer than nothing.
  return cut(redactor.text(text.slice(0, max * 2)), max);
}

function userError(e: IsolateError, source: PreparedSource | undefined, redactor: Redactor): RunError {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const name = str(e.name) || 'Error';
  const message = str(e.message) ?? '';
  const text = name === 'Error' || message.startsWith(`${name}:`) ? message : `${name}: ${message}`;
  const rawStack = str(e.stack)?.slice(0, RECORD_BOUNDS.stackChars * 2);
  const mapped = source && rawStack ? mapStack(rawStack, source) : undefined;
  const code = str(e.code);
  return {
    message: bounded(redactor, text),
    stack: bounded(redactor, mapped?.stack ?? '', RECORD_BOUNDS.stackChars),
    ...(mapped?.position ?? {}),
    ...(code ? { code: bounded(redactor, code, 256) } : {}),
  };
}
