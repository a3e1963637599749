/**
 * The tally of an automation's schedule runs, for `maxRuns`: the ids of its schedule
 * executions that ran, copied from `executions` before retention prunes them, so a card
 * that runs for longer than executions are kept still stops after its `maxRuns`.
 * (Numbered after 0008, the automations migration of the same release.)
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('automation_schedule_runs')
    .addColumn('execution_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('automation_schedule_runs_automation').on('automation_schedule_runs').columns(['automation_id', 'created_at']).execute();
}
