/**
 * Remote and inbound hooks:
 * - the flow steps a remote server implements, and the signing secret a new one replaced,
 *   which stays valid for a while so the server can switch over;
 * - an inbound hook's verification secret (encrypted like the others);
 * - the message ids of verified inbound calls, for replay protection.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('hooks').addColumn('remote_steps', 'text').execute();
  await db.schema.alterTable('hooks').addColumn('remote_secret_previous', 'text').execute();
  await db.schema.alterTable('hooks').addColumn('remote_secret_replaced_at', 'bigint').execute();
  await db.schema.alterTable('hooks').addColumn('verify_secret', 'text').execute();
  await db.schema
    .createTable('inbound_messages')
    .addColumn('hook_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_messages_pk', ['hook_id', 'message_id'])
    .execute();
  await db.schema.createIndex('inbound_messages_seen').on('inbound_messages').column('seen_at').execute();
}
