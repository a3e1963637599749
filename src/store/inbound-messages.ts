/**
 * Message ids of verified inbound calls (Standard Webhooks `webhook-id`), kept a while so
 * that a replayed call is answered without running its hook again.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Records `messageId` for `hookId`; false when it was seen already (since `since`). */
export async function firstSighting(db: Kysely<Database>, hookId: string, messageId: string, now: number, since: number): Promise<boolean> {
  const inserted = await db
    .insertInto('inbound_messages')
    .values({ hook_id: hookId, message_id: messageId, seen_at: now })
    .onConflict((oc) => oc.columns(['hook_id', 'message_id']).doUpdateSet({ seen_at: now }).where('inbound_messages.seen_at', '<', since))
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Clean-up: forgets up to `limit` message ids seen before `before`; returns how many. */
export async function forgetInboundMessages(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('inbound_messages')
    .where(({ eb, refTuple, selectFrom }) =>
      eb(refTuple('hook_id', 'message_id'), 'in', selectFrom('inbound_messages').select(['hook_id', 'message_id']).where('seen_at', '<', before).limit(limit).$asTuple('hook_id', 'message_id')),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
