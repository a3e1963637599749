/** Milliseconds to wait before the attempt after `attempt` (counted from 1). */
export type Backoff = (attempt: number) => number;

/**
 * Doubles the wait after each failed attempt, from `baseMs`, up to `maxMs`.
 *
 * @example exponentialBackoff()(1) === 1000; exponentialBackoff()(3) === 4000
 */
export function exponentialBackoff(options: { readonly baseMs?: number; readonly maxMs?: number } = {}): Backoff {
  const { baseMs = 1000, maxMs = 60 * 60 * 1000 } = options;
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
