/**
 * A remote hook's run: instead of code in an isolate, one signed POST to the user's own
 * server, whose JSON reply stands for the return value of `run` (or of a flow step).
 * Signed as Standard Webhooks define it, with every signing secret still valid (a
 * rotated one too, so the server can switch over); held to the same time limit, reply
 * size, egress policy and HTTP log as a code hook's own requests.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { coerceError } from '../domain/errors.js';
import { jsonTextDepth } from '../domain/json-depth.js';
import type { Egress } from './egress.js';
import { EgressError } from './egress.js';
import type { LimitName, Limits } from './limits.js';
import { RECORD_BOUNDS, cut, limitMessage } from './limits.js';
import type { Redactor } from './redact.js';
import { timeLeft, type EntryPoint, type HttpLogEntry, type JsonValue, type RunRequest, type RunResult } from './types.js';

/** How much of a failed reply's body the error quotes. */
const QUOTED_BODY_BYTES = 1024;

/**
 * The Standard Webhooks signature header: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * for each `whsec_` secret, space-separated.
 *
 * @example signatureHeader(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')
 */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    })
    .join(' ');
}

/** The JSON a remote hook receives: the ctx data of the run, never a secret. */
export function remotePayload(request: RunRequest, entry: EntryPoint): string {
  const ctx = request.ctx ?? {};
  const payload: Record<string, unknown> = {
    hook: { id: request.hookId, type: request.type, step: entry },
    org: ctx.org,
    integration: ctx.integration,
    execution: ctx.execution,
    params: ctx.params ?? {},
  };
  for (const key of ['meta', 'event', 'request', 'response'] as const) if (ctx[key] !== undefined) payload[key] = ctx[key];
  if (request.input !== undefined) payload.input = request.input;
  return JSON.stringify(payload);
}

/** Calls the remote hook of `request` once; never rejects. */
export async function callRemote(request: RunRequest, entry: EntryPoint, limits: Limits, egress: Egress, redactor: Redactor): Promise<RunResult> {
  const remote = request.remote!;
  const started = performance.now();
  const body = remotePayload(request, entry);
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(remote.signingSecrets, id, timestamp, body),
  };
  const entryLog = { method: 'POST', url: cut(redactor.text(remote.url), RECORD_BOUNDS.urlChars), requestBytes: Buffer.byteLength(body) };
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  const result = (status: RunResult['status'], http: HttpLogEntry, extra: Partial<RunResult>): RunResult => ({
    status,
    logs: [],
    http: [http],
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    ...extra,
  });
  const failure = (message: string, limit?: LimitName) => ({
    error: { message: cut(redactor.text(message), RECORD_BOUNDS.errorMessageChars), stack: '', ...(limit && { limit }) },
  });

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeLeft(limits, request.spent));
  let res;
  try {
    res = await egress.send({ method: 'POST', url: remote.url, headers, body, signal: controller.signal, maxResponseBytes: limits.httpResponseBytes });
  } catch (thrown) {
    const e = thrown instanceof EgressError ? thrown : new EgressError('CONNECTION_FAILED', coerceError(thrown).message);
    const http = { ...entryLog, status: 0, durationMs: elapsed(), responseBytes: 0, error: cut(redactor.text(`${e.code}: ${e.message}`), RECORD_BOUNDS.errorMessageChars) };
    if (e.code === 'RESPONSE_TOO_LARGE') {
      return result('failed', { ...http, responseBytes: limits.httpResponseBytes }, failure(limitMessage('httpResponseBytes', limits, "the remote hook's reply"), 'httpResponseBytes'));
    }
    if (controller.signal.aborted) {
      return result('timed_out', http, failure(limitMessage('timeMs', limits, 'the remote hook did not answer in time'), 'timeMs'));
    }
    return result('failed', http, failure(`The remote hook could not be reached: ${e.code}: ${e.message}`));
  } finally {
    clearTimeout(timer);
  }
  const http = { ...entryLog, status: res.status, durationMs: elapsed(), responseBytes: res.body.length };
  if (res.status < 200 || res.status > 299) {
    const quoted = res.body.subarray(0, QUOTED_BODY_BYTES).toString('utf8');
    return result('failed', http, failure(`The remote hook answered ${res.status}${quoted ? `: ${quoted}` : ''}`));
  }
  const text = res.body.toString('utf8');
  // An empty reply (204, say) is a hook that returned nothing.
  if (text.trim() === '') return result('completed', http, {});
  if (jsonTextDepth(text, limits.jsonDepth) > limits.jsonDepth) {
    return result('failed', http, failure(limitMessage('jsonDepth', limits, "the remote hook's reply"), 'jsonDepth'));
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (thrown) {
    return result('failed', http, failure(`The remote hook's reply is not JSON: ${coerceError(thrown).message}`));
  }
  return result('completed', http, { value });
}
