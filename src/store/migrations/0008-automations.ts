/**
 * Automations (the table exists since 0001):
 * - an inbound automation's verification secret, encrypted like hooks' `verify_secret`;
 * - the steps of an automation run on its execution (conditions evaluated, cases chosen,
 *   each action's outcome), as JSON;
 * - the indexes of an automation's executions (newest first) and of an organisation's
 *   automations (cursor pagination, and the outbox fan-out reading one org's automations).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('automations').addColumn('verify_secret', 'text').execute();
  await db.schema.alterTable('executions').addColumn('steps', 'text').execute();
  await db.schema.createIndex('executions_automation').on('executions').columns(['org_id', 'automation_id', 'created_at']).execute();
  await db.schema.createIndex('automations_org').on('automations').columns(['org_id', 'created_at', 'id']).execute();
}
