/**
 * The per-integration key-value store behind `ctx.kv` (docs/hooks.md). The sandbox's bridge
 * enforces the key, value and expiry rules, so an implementation only stores.
 */
import type { JsonValue } from './types.js';

/**
 * Storage for one integration's KV entries. Keys are 1–256 characters, values are JSON
 * of at most 64 KB, every `set` renews the expiry (checked by the bridge before a call).
 */
export interface KvStore {
  /** The value of `key`, or `undefined` when it is missing or expired. */
  get(key: string): Promise<JsonValue | undefined>;
  /** Stores `value` under `key`, expiring after `ttlSeconds`. */
  set(key: string, value: JsonValue, options: { readonly ttlSeconds: number }): Promise<void>;
  /** Removes `key`; removing a missing key is no error. */
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix` and have not expired, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Live entries other than `exceptKey`, and the characters of their JSON: what a `set`
   * of `exceptKey` is checked against (the integration's quota).
   */
  usage(exceptKey: string): Promise<KvUsage>;
}

/** How much of its quota a KV store uses. */
export interface KvUsage {
  readonly entries: number;
  /** Characters of JSON text, summed over the values. */
  readonly chars: number;
}

interface Entry {
  readonly json: string;
  readonly expiresAt: number;
}

/** A {@link KvStore} in memory: for `hookyard run` and tests. */
export class MemoryKvStore implements KvStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  /** `now` (ms since the epoch) is injectable so tests can expire entries. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async get(key: string): Promise<JsonValue | undefined> {
    const entry = this.#live(key);
    return entry ? (JSON.parse(entry.json) as JsonValue) : undefined;
  }

  async set(key: string, value: JsonValue, options: { readonly ttlSeconds: number }): Promise<void> {
    this.#entries.set(key, { json: JSON.stringify(value), expiresAt: this.#now() + options.ttlSeconds * 1000 });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.#entries.keys()].filter((key) => key.startsWith(prefix) && this.#live(key)).sort();
  }

  async usage(exceptKey: string): Promise<KvUsage> {
    let entries = 0;
    let chars = 0;
    for (const key of [...this.#entries.keys()]) {
      const entry = key === exceptKey ? undefined : this.#live(key);
      if (entry) {
        entries += 1;
        chars += entry.json.length;
      }
    }
    return { entries, chars };
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

/**
 * A dry run's view of a store: reads go through, writes land in an overlay that is
 * dropped with the run, so a hook behaves as in a real run and nothing is written.
 */
export function dryRunKv(store: KvStore): KvStore {
  const overlay = new Map<string, JsonValue | undefined>();
  return {
    get: async (key) => (overlay.has(key) ? overlay.get(key) : store.get(key)),
    set: async (key, value) => void overlay.set(key, value),
    delete: async (key) => void overlay.set(key, undefined),
    list: async (prefix) => {
      const keys = new Set(await store.list(prefix));
      for (const [key, value] of overlay) {
        if (!key.startsWith(prefix)) continue;
        if (value === undefined) keys.delete(key);
        else keys.add(key);
      }
      return [...keys].sort();
    },
    // Counts what the overlay holds on top of the store: a key written in both counts
    // twice, so a dry run can only be refused sooner than the real run, never later.
    usage: async (exceptKey) => {
      const base = await store.usage(exceptKey);
      let entries = base.entries;
      let chars = base.chars;
      for (const [key, value] of overlay) {
        if (key === exceptKey || value === undefined) continue;
        entries += 1;
        chars += JSON.stringify(value).length;
      }
      return { entries, chars };
    },
  };
}
