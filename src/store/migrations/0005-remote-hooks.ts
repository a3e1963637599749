/**
 * Remote hooks: the flow steps the remote server implements, and the signing secret a new
 * one replaced, which stays valid for a while so the server can switch over.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('hooks').addColumn('remote_steps', 'text').execute();
  await db.schema.alterTable('hooks').addColumn('remote_secret_previous', 'text').execute();
  await db.schema.alterTable('hooks').addColumn('remote_secret_replaced_at', 'bigint').execute();
}
