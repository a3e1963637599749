/**
 * The database-backed {@link KvStore} of one integration. The sandbox's bridge checks
 * key length, value size and expiry before calling it; this adapter only stores.
 */
import type { Kysely } from 'kysely';
import type { JsonValue, KvStore } from '../sandbox/index.js';
import { kvDelete, kvGet, kvList, kvSet, kvUsage, type KvScope } from '../store/kv.js';
import type { Database } from '../store/schema.js';

/**
 * `ctx.kv` of an integration, scoped by organisation and integration.
 *
 * @example const kv = databaseKv(store.db, { orgId, integrationId }); await sandbox.run({ …, kv });
 */
export function databaseKv(db: Kysely<Database>, scope: KvScope, now: () => number = Date.now): KvStore {
  return {
    async get(key) {
      const json = await kvGet(db, scope, key, now());
      return json === undefined ? undefined : (JSON.parse(json) as JsonValue);
    },
    async set(key, value, { ttlSeconds }) {
      const at = now();
      await kvSet(db, scope, key, JSON.stringify(value), at + ttlSeconds * 1000, at);
    },
    delete: (key) => kvDelete(db, scope, key),
    list: (prefix) => kvList(db, scope, prefix, now()),
    usage: (exceptKey) => kvUsage(db, scope, exceptKey, now()),
  };
}
