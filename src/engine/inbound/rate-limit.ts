/**
 * Token buckets for inbound calls, per hook and per organisation, so a flood of one route
 * is answered 429 before it costs a run and cannot starve other routes or organisations.
 * Kept in each process's memory: with several nodes, each node allows its own rate.
 */

/** A bucket's size and refill. */
export interface RateLimit {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Tokens a bucket holds at most: the burst a quiet sender may spend at once. */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets by key, refilled lazily; idle full ones are forgotten. */
export class TokenBuckets {
  readonly #limit: RateLimit;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.#limit = limit;
    this.#now = now;
  }

  /** Takes a token for `key`; when there is none, answers the seconds until there is one. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, at: now };
    bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#limit.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 10_000) this.#forgetFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#limit.perSecond)) };
  }

  #forgetFull(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.#limit.perSecond >= this.#limit.burst) this.#buckets.delete(key);
    }
  }
}
