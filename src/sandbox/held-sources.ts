/**
 * The hook code a sandbox process holds, as its supervisor keeps track of it: a run of a
 * hook version the process holds sends no code (a hook may be 512 KB, and a run's message
 * would otherwise carry it every time). The supervisor alone decides what is held — the
 * process keeps what came with a run until told to forget it — so the two never disagree;
 * a new process holds nothing.
 */
export class HeldSources {
  /** Code by hook key, least recently used first. */
  readonly #held = new Map<string, string>();
  readonly #maxEntries: number;
  readonly #maxChars: number;
  #chars = 0;

  constructor(maxEntries: number, maxChars: number) {
    this.#maxEntries = maxEntries;
    this.#maxChars = maxChars;
  }

  /**
   * Whether the process holds `code` for `key`. When it does not, it will once the run that
   * asked is sent with its code; the keys `forget` is called with (before this returns) are
   * for the process to drop, to keep within the bounds.
   */
  hold(key: string, code: string, forget: (key: string) => void): boolean {
    const held = this.#held.get(key);
    if (held !== undefined) this.#held.delete(key);
    if (held === code) {
      this.#held.set(key, code);
      return true;
    }
    this.#chars += code.length - (held?.length ?? 0);
    this.#held.set(key, code);
    for (const [oldKey, old] of this.#held) {
      if (this.#held.size <= this.#maxEntries && this.#chars <= this.#maxChars) break;
      // The code just held stays even when it alone is past the bound: its run needs it.
      if (oldKey === key) break;
      this.#held.delete(oldKey);
      this.#chars -= old.length;
      forget(oldKey);
    }
    return false;
  }
}
