/**
 * Who answers an inbound path: one enabled inbound hook or one automation of an
 * organisation per path and method (inbound-call.ts asks hooks first, then automations).
 * Saving a hook or automation on a path another one answers is refused with 409.
 */
import type { Kysely } from 'kysely';
import { HookyardError } from '../../domain/errors.js';
import { issue } from '../../domain/field-issues.js';
import type { InboundMethod } from '../../domain/hooks.js';
import { listAllAutomations } from '../../store/automations.js';
import { listEnabledHooks } from '../../store/hooks.js';
import type { Database } from '../../store/schema.js';

/** Whether two inbound methods can answer the same call. */
const overlap = (a: InboundMethod = 'ANY', b: InboundMethod = 'ANY') => a === 'ANY' || b === 'ANY' || a === b;

/** The route being saved: its path and method, and its own id (saving it again is no conflict). */
export interface InboundClaim {
  readonly path: string;
  readonly method?: InboundMethod;
  readonly selfId?: string;
  /** Check against the enabled inbound hooks too (not for a disabled hook, which answers nothing). */
  readonly hooks: boolean;
  /** Where the path sits in the body, for the 409's details. */
  readonly at: string;
}

/** Throws 409 when an enabled inbound hook or an automation of the organisation answers the claim's path and method. */
export async function claimInboundPath(db: Kysely<Database>, orgId: string, claim: InboundClaim): Promise<void> {
  const taken = (what: string) => {
    const found = issue(claim.at, `is taken by ${what} for ${claim.method ?? 'ANY'} calls`);
    return new HookyardError('HY_CONFLICT', found.message, { details: [found] });
  };
  if (claim.hooks) {
    const hook = (await listEnabledHooks(db, orgId, 'inbound')).find((h) => h.id !== claim.selfId && h.path === claim.path && overlap(h.method, claim.method));
    if (hook) throw taken(`the inbound hook ${hook.id}`);
  }
  const automation = (await listAllAutomations(db, [orgId])).find(
    (a) => a.id !== claim.selfId && a.trigger.type === 'inbound' && a.trigger.path === claim.path && overlap(a.trigger.method, claim.method),
  );
  if (automation) throw taken(`the automation ${automation.id}`);
}
