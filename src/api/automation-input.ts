/**
 * Turns a `/v1/automations` body into what the store saves: the definition validator's
 * rules (every issue named under `body/`), then what needs the database — a `run_hook`
 * that names a hook the organisation does not have, an inbound path another route of
 * the organisation answers (409) — and the write-only verification secret set apart.
 */
import type { Kysely } from 'kysely';
import type { Automation, AutomationDefinition } from '../domain/automations.js';
import { runHookIds, validateAutomationDefinition } from '../domain/automation-validation.js';
import { invalidField, notFound, validationError } from '../domain/errors.js';
import { issue, underRoot, type FieldIssue } from '../domain/field-issues.js';
import { validateScheduleCard } from '../domain/schedule-card.js';
import { validateActionParams } from '../engine/automations/actions/index.js';
import { claimInboundPath } from '../engine/inbound/inbound-paths.js';
import { findAutomation, hasVerifySecret, type AutomationInput } from '../store/automations.js';
import { findHook } from '../store/hooks.js';
import { findOrganisation } from '../store/organisations.js';
import type { Database } from '../store/schema.js';

/** The organisation's automation, or the API's 404. */
export async function requireAutomation(db: Kysely<Database>, orgId: string, id: string): Promise<Automation> {
  const automation = await findAutomation(db, orgId, id);
  if (!automation) throw notFound('automation');
  return automation;
}

/** Hook types a `run_hook` action may run. */
const RUNNABLE_HOOKS = new Set(['push', 'pull']);

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
    const { path, method } = definition.trigger;
    await claimInboundPath(db, orgId, { path, ...(method && { method }), ...(current && { selfId: current.id }), hooks: true, at: 'body/trigger/path' });
    if (definition.trigger.verify) {
      const kept = secret === undefined && current?.trigger.type === 'inbound' && current.trigger.verify !== undefined && (await hasVerifySecret(db, orgId, current.id));
      if (secret === undefined && !kept) throw invalidField('body/trigger/verify/secret', 'is required to verify calls');
      verifySecret = secret;
    }
  }
  return { definition, verifySecret };
}
