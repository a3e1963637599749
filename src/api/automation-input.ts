/**
 * Turns a `/v1/automations` body into what the store saves: the definition validator's
 * rules (every issue named under `body/`), then what needs the database — a `run_hook`
 * that names a hook the organisation does not have, an inbound path another route of
 * the organisation answers (409) — and the write-only verification secret set apart.
 */
import type { Kysely } from 'kysely';
import type { Automation, AutomationDefinition, InboundTrigger } from '../domain/automations.js';
import { runHookIds, validateAutomationDefinition } from '../domain/automation-validation.js';
import { HookyardError, invalidField, validationError } from '../domain/errors.js';
import { issue, underRoot, type FieldIssue } from '../domain/field-issues.js';
import type { InboundMethod } from '../domain/hooks.js';
import { validateScheduleCard } from '../domain/schedule-card.js';
import { validateActionParams } from '../engine/automations/actions/index.js';
import { listAllAutomations, hasVerifySecret, type AutomationInput } from '../store/automations.js';
import { findHook, listEnabledHooks } from '../store/hooks.js';
import { findOrganisation } from '../store/organisations.js';
import type { Database } from '../store/schema.js';

/** Hook types a `run_hook` action may run. */
const RUNNABLE_HOOKS = new Set(['push', 'pull']);

/** Whether two inbound methods can answer the same call. */
const overlap = (a: InboundMethod = 'ANY', b: InboundMethod = 'ANY') => a === 'ANY' || b === 'ANY' || a === b;

/** `run_hook` actions that name a hook the organisation lacks, or one that cannot be run. */
async function unknownHooks(db: Kysely<Database>, orgId: string, definition: AutomationDefinition): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  for (const { path, hookId } of runHookIds(definition)) {
    const hook = await findHook(db, orgId, hookId);
    if (!hook) issues.push(issue(path, `names no hook of this organisation (${hookId})`));
    else if (!RUNNABLE_HOOKS.has(hook.type)) issues.push(issue(path, `names a ${hook.type} hook; run_hook runs push and pull hooks`));
  }
  return issues;
}

/** 409 when an inbound hook or another automation of the organisation answers the same path and method. */
async function claimPath(db: Kysely<Database>, orgId: string, trigger: InboundTrigger, selfId: string | undefined): Promise<void> {
  const taken = (what: string) => {
    const found = issue('body/trigger/path', `is taken by ${what} for ${trigger.method ?? 'ANY'} calls`);
    return new HookyardError('HY_CONFLICT', found.message, { details: [found] });
  };
  const hooks = await listEnabledHooks(db, orgId, 'inbound');
  const hook = hooks.find((h) => h.path === trigger.path && overlap(h.method, trigger.method));
  if (hook) throw taken(`the inbound hook ${hook.id}`);
  const automations = await listAllAutomations(db, [orgId]);
  const other = automations.find((a) => a.id !== selfId && a.trigger.type === 'inbound' && a.trigger.path === trigger.path && overlap(a.trigger.method, trigger.method));
  if (other) throw taken(`the automation ${other.id}`);
}

/**
 * Checks a whole body and splits off its verification secret. `current` is the stored
 * automation when it is replaced: a `verify` without a secret keeps the stored one.
 */
export async function toAutomationInput(db: Kysely<Database>, orgId: string, body: Record<string, unknown>, current?: Automation): Promise<AutomationInput> {
  const org = await findOrganisation(db, orgId);
  const checked = validateAutomationDefinition(body, {
    validateActionParams,
    validateSchedule: (card) => validateScheduleCard(card, { orgTimeZone: org?.timeZone ?? 'UTC', now: new Date() }),
  });
  if (!checked.definition) throw validationError(underRoot('body', checked.issues));
  const { definition, verifySecret: secret } = checked;

  const unknown = await unknownHooks(db, orgId, definition);
  if (unknown.length > 0) throw validationError(underRoot('body', unknown));

  let verifySecret: string | null | undefined = null;
  if (definition.trigger.type === 'inbound') {
    await claimPath(db, orgId, definition.trigger, current?.id);
    if (definition.trigger.verify) {
      const kept = secret === undefined && current?.trigger.type === 'inbound' && current.trigger.verify !== undefined && (await hasVerifySecret(db, orgId, current.id));
      if (secret === undefined && !kept) throw invalidField('body/trigger/verify/secret', 'is required to verify calls');
      verifySecret = secret;
    }
  }
  return { definition, verifySecret };
}
