/**
 * The dry run of an automation (`POST /v1/automations/{id}/test`): its conditions
 * evaluated and every action's params rendered over a fixture, nothing performed,
 * recorded as an execution with `trigger: 'test'` and `dryRun: true`.
 */
import type { Automation, AutomationScope } from '../../domain/automations.js';
import { finishExecution, insertExecution } from '../../store/executions.js';
import { findOrganisation } from '../../store/organisations.js';
import type { EngineDeps } from '../deps.js';
import { runAutomation } from './run-automation.js';
import { orgInfo } from '../../domain/organisations.js';

/** What a test reads: the parts of the scope a trigger would bring. */
export type AutomationFixture = Pick<AutomationScope, 'before' | 'after' | 'event' | 'trigger'>;

/** Dry-runs `automation` over `fixture`; resolves with the finished execution's id. */
export async function testAutomation(deps: EngineDeps, automation: Automation, fixture: AutomationFixture): Promise<string> {
  const { db } = deps.store;
  const org = (await findOrganisation(db, automation.orgId))!;
  const executionId = await insertExecution(db, { orgId: org.id, automationId: automation.id, trigger: 'test', dryRun: true, status: 'running', input: fixture });
  const { reply, ...outcome } = await runAutomation(deps, {
    automation,
    org: orgInfo(org),
    triggerType: automation.trigger.type,
    input: fixture,
    executionId,
    depth: 1,
    dryRun: true,
  });
  await finishExecution(db, executionId, outcome);
  return executionId;
}
