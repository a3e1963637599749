/** PUSH hooks as a consumer of the outbox (outbox/dispatch.ts): a `push.deliver` job per event and enabled hook that wants it. */
import type { Kysely } from 'kysely';
import type { ChangeSource, ChangeType } from '../../domain/entity-events.js';
import type { HookSettings } from '../../domain/hooks.js';
import type { Database } from '../../store/schema.js';
import type { FanOut } from '../outbox/fan-out.js';
import { PUSH_DELIVER, pushJob } from './push-jobs.js';

interface PushTarget {
  readonly id: string;
  readonly integrationId: string;
  readonly changeTypes: readonly ChangeType[];
  readonly attempts: number;
}

/** Changes an integration wrote by its own PULL or inbound hooks never trigger its PUSH hooks. */
function isEcho(target: PushTarget, source: ChangeSource): boolean {
  return (source.kind === 'pull' || source.kind === 'inbound') && source.integrationId === target.integrationId;
}

async function pushTargets(trx: Kysely<Database>, orgIds: readonly string[]): Promise<Map<string, PushTarget[]>> {
  const rows = await trx
    .selectFrom('hooks')
    .select(['id', 'org_id', 'integration_id', 'entity_type', 'settings'])
    .where('type', '=', 'push')
    .where('enabled', '=', 1)
    .where('org_id', 'in', orgIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const byScope = new Map<string, PushTarget[]>();
  for (const row of rows) {
    const settings = JSON.parse(row.settings) as HookSettings;
    const key = `${row.org_id}/${row.entity_type}`;
    const target: PushTarget = {
      id: row.id,
      integrationId: row.integration_id,
      changeTypes: settings.changeTypes ?? ['create', 'update', 'delete'],
      attempts: settings.retry?.attempts ?? 3,
    };
    byScope.set(key, [...(byScope.get(key) ?? []), target]);
  }
  return byScope;
}

/** PUSH hooks as an outbox consumer. */
export const pushFanOut: FanOut = {
  kinds: [PUSH_DELIVER],
  async prepare(trx, orgIds) {
    const targets = await pushTargets(trx, orgIds);
    return {
      wants: (orgId, entityType, changeType) => (targets.get(`${orgId}/${entityType}`) ?? []).some((t) => t.changeTypes.includes(changeType as ChangeType)),
      jobs: (orgId, event) =>
        (targets.get(`${orgId}/${event.entityType}`) ?? [])
          .filter((target) => target.changeTypes.includes(event.changeType) && !isEcho(target, event.source))
          .map((target) => pushJob(orgId, target, event)),
    };
  },
};
