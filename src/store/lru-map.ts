/**
 * A map of at most `limit` entries that lets the least recently used go first, nearly: a
 * hit moves its entry to the end only once half the limit of other entries were kept or
 * moved since it was. An entry read within the last half-limit of moves is never the one
 * that goes, and the hits of a steady working set leave the map as it is.
 *
 * Why not move on every hit (a delete and a set): these maps live as long as the process,
 * in V8's old space, and each delete leaves a deleted slot in the map's table; with a
 * handful of entries the table fills every few hits and is replaced by a new one, allocated
 * in the old space too, which then grows until V8's next full collection (bench/README.md,
 * Inbound, "Peak RSS").
 */
export class LruMap<K, V> {
  /** In the order they were kept or last moved to the end; `moved` is {@link #moves} then. */
  readonly #entries = new Map<K, { readonly value: V; moved: number }>();
  /** Entries kept or moved to the end so far. */
  #moves = 0;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#moves - entry.moved > this.#limit / 2) {
      this.#entries.delete(key);
      entry.moved = ++this.#moves;
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  /** Keeps `value` under `key`, at the end; past the limit the entry at the front goes. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, moved: ++this.#moves });
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}
