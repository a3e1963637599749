/**
 * What answers an inbound call, whoever it is: an inbound hook (inbound-call.ts) or an
 * automation with an inbound trigger (automations/triggers/inbound.ts). inbound-call.ts
 * finds the route, holds the call to its limits and verifies it; the route answers it.
 */
import type { ExecutionOutcome } from '../../domain/executions.js';
import type { VerifySettings } from '../../domain/webhook-verification.js';
import type { InboundAnswer } from './inbound-answer.js';

/** The call as it arrived. */
export interface InboundCall {
  readonly orgSlug: string;
  readonly path: string;
  readonly method: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly rawBody: Buffer;
}

/** How one run's execution is recorded: once, when it ends, through the write-behind recorder. */
export type RecordInbound = (outcome: ExecutionOutcome) => void;

/** What answers a call on a path: an inbound hook, or an automation. */
export interface InboundRoute {
  /** The hook's or automation's id: the key of its rate limit and of its seen message ids. */
  readonly id: string;
  /** Whose execution the call is. */
  readonly owner: { readonly hookId: string } | { readonly automationId: string };
  /** "the hook", "the automation": what a missing secret is reported of. */
  readonly noun: string;
  /** Loads what the call needs (secrets and all), once it is past the rate limits; undefined when it is gone. */
  open(): Promise<OpenRoute | undefined>;
}

/** A route ready to verify and answer a call. */
export interface OpenRoute {
  readonly verify?: VerifySettings;
  readonly verifySecret: string | null;
  /** Answers the verified call, whose body is parsed (JSON or form) when its content type says so. */
  answer(body: unknown, run: { readonly executionId: string; readonly record: RecordInbound }): Promise<InboundAnswer>;
}

/** Whether a route on `path` for `method` (absent: any) answers the call. */
export function answersCall(route: { readonly path?: string; readonly method?: string }, call: InboundCall): boolean {
  const method = route.method ?? 'ANY';
  return route.path === call.path && (method === 'ANY' || method === call.method);
}
