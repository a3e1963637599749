/**
 * What a pre- or post-hook's return value means (docs/hooks.md, "API pre-hooks and post-hooks"), read from its sandbox
 * result. Pure functions, so the contract is tested without a sandbox.
 */
import type { JsonValue, RunResult } from '../../sandbox/index.js';

/** A pre-hook's verdict on the call. */
export type PreHookVerdict =
  | { readonly kind: 'go'; readonly messageOverride?: JsonValue }
  | { readonly kind: 'stop'; readonly status: number; readonly message?: string }
  /** The run threw or timed out. */
  | { readonly kind: 'failed' }
  /** The run completed but returned something the contract does not know. */
  | { readonly kind: 'invalid'; readonly reason: string };

/** A post-hook's verdict on the response. */
export type PostHookVerdict =
  | { readonly kind: 'keep' }
  | { readonly kind: 'override'; readonly status?: number; readonly body: JsonValue }
  | { readonly kind: 'invalid'; readonly reason: string };

function describe(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * A status a hook may give the API's answer: 200–599. A 1xx is not a final answer (the
 * client would wait for one that never comes), and 0–99 or 600+ is no HTTP status.
 */
function isStatus(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 200 && (value as number) <= 599;
}

function asObject(value: JsonValue | undefined): { [key: string]: JsonValue } | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/**
 * `{ status: 200, messageOverride? }` (or nothing, or no `status`) goes on; another
 * status from 201 to 599 stops the call, with `message` (text, or JSON of anything else).
 */
export function readPreHookResult(result: RunResult): PreHookVerdict {
  if (result.status !== 'completed') return { kind: 'failed' };
  if (result.value === undefined || result.value === null) return { kind: 'go' };
  const value = asObject(result.value);
  if (!value) return { kind: 'invalid', reason: `a pre-hook returns { status, messageOverride?, message? }; this one returned ${describe(result.value)}` };
  const status = value.status ?? 200;
  if (!isStatus(status)) return { kind: 'invalid', reason: `a pre-hook's status must be an integer HTTP status from 200 to 599; this one returned ${describe(status)}` };
  if (status === 200) return value.messageOverride === undefined ? { kind: 'go' } : { kind: 'go', messageOverride: value.messageOverride };
  const message = value.message;
  if (message === undefined || message === null) return { kind: 'stop', status };
  return { kind: 'stop', status, message: typeof message === 'string' ? message : JSON.stringify(message) };
}

/** `{ status?, responseOverride }` replaces the response; nothing, or a run that failed, keeps it. */
export function readPostHookResult(result: RunResult): PostHookVerdict {
  if (result.status !== 'completed' || result.value === undefined || result.value === null) return { kind: 'keep' };
  const value = asObject(result.value);
  if (!value) return { kind: 'invalid', reason: `a post-hook returns nothing or { status?, responseOverride }; this one returned ${describe(result.value)}` };
  if (value.responseOverride === undefined) return { kind: 'keep' };
  if (value.status !== undefined && !isStatus(value.status)) {
    return { kind: 'invalid', reason: `a post-hook's status must be an integer HTTP status from 200 to 599; this one returned ${describe(value.status)}` };
  }
  return { kind: 'override', body: value.responseOverride, ...(value.status !== undefined && { status: value.status as number }) };
}
