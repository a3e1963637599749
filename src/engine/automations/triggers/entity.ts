/**
 * Entity triggers (docs/automations.md): the outbox dispatcher fans each event out to the enabled
 * automations of its organisation whose trigger names its entity type and change type,
 * as `automation.run` jobs in the same transaction as PUSH's deliveries — the same
 * durable, ordered, at-least-once path. The unique key `automation:<id>:<eventId>` makes
 * a repeated dispatch a no-op; the ordering key `automation:<id>:<entityId>` runs one
 * entity's events through an automation one at a time, in commit order.
 *
 * An automation is never triggered by its own writes (their source names it). How deep a
 * chain of automations may go is the run's business (run-jobs.ts), so that a run past the
 * limit is recorded rather than silently dropped.
 */
import { CHANGE_TYPES, type EntityEvent } from '../../../domain/entity-events.js';
import type { NewJob } from '../../../jobs/index.js';
import { listAllAutomations } from '../../../store/automations.js';
import type { FanOut } from '../../outbox/fan-out.js';
import { AUTOMATION_ATTEMPTS, AUTOMATION_RUN, type AutomationRunPayload } from '../run-job.js';

/** The job that runs automation `automationId` for `event`. */
export function entityRunJob(orgId: string, automationId: string, event: EntityEvent): NewJob {
  return {
    kind: AUTOMATION_RUN,
    orgId,
    payload: { automationId, triggerType: 'entity', event } satisfies AutomationRunPayload,
    maxAttempts: AUTOMATION_ATTEMPTS,
    uniqueKey: `automation:${automationId}:${event.id}`,
    orderingKey: `automation:${automationId}:${event.entityId}`,
  };
}

/** The automations as an outbox consumer. */
export const automationFanOut: FanOut = {
  kinds: [AUTOMATION_RUN],
  async prepare(trx, orgIds) {
    const byScope = new Map<string, Array<{ id: string; events: readonly string[] }>>();
    for (const automation of await listAllAutomations(trx, orgIds, { enabledOnly: true })) {
      if (automation.trigger.type !== 'entity') continue;
      const key = `${automation.orgId}/${automation.trigger.entityType}`;
      byScope.set(key, [...(byScope.get(key) ?? []), { id: automation.id, events: automation.trigger.events ?? CHANGE_TYPES }]);
    }
    return {
      wants: (orgId, entityType, changeType) => (byScope.get(`${orgId}/${entityType}`) ?? []).some((t) => t.events.includes(changeType)),
      jobs: (orgId, event) => {
        const own = event.source.kind === 'automation' ? event.source.automationId : undefined;
        return (byScope.get(`${orgId}/${event.entityType}`) ?? [])
          .filter((target) => target.events.includes(event.changeType) && target.id !== own)
          .map((target) => entityRunJob(orgId, target.id, event));
      },
    };
  },
};
