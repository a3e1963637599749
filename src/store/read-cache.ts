/**
 * Memoised reads of the configuration that every API call or hook run reads and people
 * change rarely: API keys, hooks, custom attribute definitions, integrations,
 * organisations and secrets (as ciphertext). Each such read costs a query and its
 * parsing on the hottest paths (an entity write, a PUSH delivery).
 *
 * The cache is a Kysely plugin, so it sees each insert, update and delete of those tables
 * that its own process makes, whichever function makes it, on the root instance and inside
 * transactions, and empties itself. On embedded SQLite one process makes every write, so
 * that is all. A PostgreSQL database is shared by several processes: there every statement
 * that writes those tables also notifies `hookyard_config` on commit (migration 0007), and
 * every process empties its cache when it hears it. So a write on another node is seen
 * once its notification arrives (about a millisecond after its commit); until then that
 * node may still serve what it had. On PostgreSQL moreover:
 * - Values are kept only while the listening connection is up: a lost connection empties
 *   the cache and turns it off until it listens again (notifications may have been missed).
 * - After a write of its own, the process keeps nothing until a notification arrives: the
 *   write may sit in a transaction not yet committed, which another pooled connection
 *   cannot see, so what that connection reads now is about to go stale. The commit's
 *   notification turns keeping back on; a write rolled back sends none, so the process
 *   pings the channel itself {@link PING_MS} later.
 *
 * - A read that overlapped a write is returned but not kept: the generation moved.
 * - A read that found nothing is not kept either: `hookyard keys create` and `orgs create`
 *   add rows from another process, and a flood of unknown API keys must not push the
 *   known ones out.
 * - Reads through a transaction never use the cache (a transaction is another Kysely
 *   instance): they must see the transaction's own writes.
 * - Cached values are deeply frozen, because every caller shares them.
 */
import {
  AliasNode,
  TableNode,
  type Kysely,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { LruMap } from './lru-map.js';

/** The tables whose rows are cached; a write to any of them empties the cache. */
const CACHED_TABLES: ReadonlySet<string> = new Set(['api_keys', 'custom_attributes', 'hooks', 'integrations', 'organisations', 'secrets']);

/** Entries kept at most; the least recently used go first (lru-map.ts). */
const MAX_ENTRIES = 10_000;

/** The PostgreSQL channel of migration 0007, notified on commit of every write to a cached table. */
export const CONFIG_CHANNEL = 'hookyard_config';

/** After a write of its own, a shared cache that heard no notification pings its channel this long after. */
const PING_MS = 2_000;

/** How a cache shared with other processes (PostgreSQL) reaches its channel. */
export interface SharedCacheOptions {
  /** Sends a notification on {@link CONFIG_CHANNEL}. */
  readonly ping: () => Promise<void>;
}

/** The name of the table a node names, through an alias. */
function tableOf(node: OperationNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (AliasNode.is(node)) return tableOf(node.node);
  return TableNode.is(node) ? node.table.identifier.name : undefined;
}

/**
 * Whether a query writes a cached table. Raw SQL is assumed to, unless it is a `select`.
 * (Transaction and savepoint commands never reach a plugin.)
 */
function writesCachedTable(node: RootOperationNode): boolean {
  switch (node.kind) {
    case 'RawNode':
      return !/^\s*select\b/i.test(node.sqlFragments[0] ?? '');
    case 'InsertQueryNode':
      return CACHED_TABLES.has(tableOf(node.into) ?? '');
    case 'UpdateQueryNode':
      return CACHED_TABLES.has(tableOf(node.table) ?? '');
    case 'DeleteQueryNode':
      return node.from.froms.some((from) => CACHED_TABLES.has(tableOf(from) ?? ''));
    case 'SelectQueryNode':
      return false;
    default:
      return true;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** The cache of one store: its plugin and its entries. */
export class ReadCache implements KyselyPlugin {
  #generation = 0;
  readonly #entries: LruMap<string, unknown>;
  /** Writes being executed; the cache empties again once each is done. */
  readonly #writes = new WeakSet<object>();
  readonly #shared: SharedCacheOptions | undefined;
  /** Shared: the notifications arrive (the listening connection is up). */
  #listening = false;
  /** Shared: a write of this process may not be committed yet. */
  #awaitingNotification = false;
  #ping: NodeJS.Timeout | undefined;

  /** `shared`: the database is shared with other processes, which notify their writes. */
  constructor(options: { readonly shared?: SharedCacheOptions } = {}) {
    this.#shared = options.shared;
    this.#entries = new LruMap(MAX_ENTRIES);
  }

  /** Whether a value read now may be kept. */
  get #keeping(): boolean {
    return this.#shared === undefined || (this.#listening && !this.#awaitingNotification);
  }

  /** Shared: a notification arrived; some process committed a write to a cached table. */
  changedElsewhere(): void {
    this.#awaitingNotification = false;
    clearTimeout(this.#ping);
    this.#ping = undefined;
    this.#invalidate();
  }

  /** Shared: the listening connection is up (true) or lost (false). */
  listening(on: boolean): void {
    this.#listening = on;
    this.#invalidate();
    clearTimeout(this.#ping);
    this.#ping = undefined;
    if (on && this.#awaitingNotification && this.#shared !== undefined) this.#schedulePing(this.#shared);
  }

  /** `load()` once, then its (frozen) value until a cached table is written; `undefined` is never kept. */
  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const kept = this.#entries.get(key);
    if (kept !== undefined) return kept as T;
    const generation = this.#generation;
    const value = deepFreeze(await load());
    if (value !== undefined && generation === this.#generation && this.#keeping) this.#entries.set(key, value);
    return value;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (writesCachedTable(args.node)) {
      this.#writes.add(args.queryId);
      this.#invalidate();
      if (this.#shared !== undefined) this.#awaitNotification(this.#shared);
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // Also after the write: a read that started between its compilation and its execution
    // could otherwise keep what the write replaced.
    if (this.#writes.has(args.queryId)) this.#invalidate();
    return args.result;
  }

  #awaitNotification(shared: SharedCacheOptions): void {
    this.#awaitingNotification = true;
    if (this.#ping === undefined && this.#listening) this.#schedulePing(shared);
  }

  #schedulePing(shared: SharedCacheOptions): void {
    this.#ping = setTimeout(() => {
      this.#ping = undefined;
      // Failing, it leaves the cache off until the next notification: slower, never stale.
      shared.ping().catch(() => undefined);
    }, PING_MS);
    this.#ping.unref();
  }

  #invalidate(): void {
    this.#generation++;
    this.#entries.clear();
  }
}

const caches = new WeakMap<Kysely<any>, ReadCache>();

/** Gives `db` (a root instance built with `cache` as a plugin) its cache. */
export function attachReadCache(db: Kysely<any>, cache: ReadCache): void {
  caches.set(db, cache);
}

/**
 * The value of `load()`, from `db`'s cache when it has one (a root instance, outside a
 * transaction), else read now. `key` must name everything the read depends on.
 */
export function cachedRead<T>(db: Kysely<any>, key: string, load: () => Promise<T>): Promise<T> {
  const cache = caches.get(db);
  return cache === undefined ? load() : cache.read(key, load);
}
