/**
 * The tally of an automation's schedule runs, for `maxRuns`: one row per run that ended,
 * copied from `executions` before retention prunes them, so a card that runs for longer
 * than executions are kept still stops after its `maxRuns`. `run_key` is what the
 * attempts of one run share (the execution's input: the slot), so a slot whose first
 * attempt was interrupted counts once.
 * (Numbered after 0008, the automations migration of the same release.)
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('automation_schedule_runs')
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id').onDelete('cascade'))
    .addColumn('run_key', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('execution_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('automation_schedule_runs_pk', ['automation_id', 'run_key'])
    .execute();
}
