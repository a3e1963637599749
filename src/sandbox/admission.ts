/**
 * How many runs may be in the sandbox at once: in total and per organisation, so one
 * organisation's hooks cannot take every isolate thread. Runs past a bound either wait
 * their turn — organisations take turns, in the order they started waiting — or, for
 * work a caller is waiting on (a dry run, an API hook), are refused at once.
 */
import { HookyardError } from '../domain/errors.js';

/** The bounds. */
export interface AdmissionLimits {
  readonly total: number;
  readonly perOrg: number;
}

/** Refused: the caller should try again in a moment. */
export class SandboxBusyError extends HookyardError {
  constructor(message: string) {
    super('HY_RATE_LIMITED', message, { retryAfterSeconds: 1 });
  }
}

/** Counts runs in the sandbox and queues the rest. */
export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #active = new Map<string, number>();
  /** Waiting runs by organisation; the Map's order is the organisations' turn. */
  readonly #waiting = new Map<string, Array<() => void>>();
  #total = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  /**
   * Takes a place for a run of `orgId`: at once when there is room (and no one waits
   * before it), else when its turn comes, or never with `refuse` (throws {@link SandboxBusyError}).
   */
  async enter(orgId: string, onBusy: 'wait' | 'refuse'): Promise<void> {
    // Room, and no run of this organisation waiting before it (its runs keep their order).
    if (this.#total < this.#limits.total && this.#fits(orgId) && !this.#waiting.has(orgId)) return this.#take(orgId);
    if (onBusy === 'refuse') {
      const full = this.#total >= this.#limits.total;
      throw new SandboxBusyError(
        full
          ? `The sandbox is running ${this.#limits.total} hooks at once, its most; try again in a moment`
          : `This organisation is running ${this.#limits.perOrg} hooks at once, its most; try again in a moment`,
      );
    }
    await new Promise<void>((resolve) => {
      const queue = this.#waiting.get(orgId) ?? [];
      queue.push(resolve);
      this.#waiting.set(orgId, queue);
    });
  }

  /** Gives back the place of a run of `orgId`, and lets the next run in. */
  leave(orgId: string): void {
    const left = (this.#active.get(orgId) ?? 1) - 1;
    if (left === 0) this.#active.delete(orgId);
    else this.#active.set(orgId, left);
    this.#total -= 1;
    this.#next();
  }

  #fits(orgId: string): boolean {
    return (this.#active.get(orgId) ?? 0) < this.#limits.perOrg;
  }

  #take(orgId: string): void {
    this.#active.set(orgId, (this.#active.get(orgId) ?? 0) + 1);
    this.#total += 1;
  }

  #next(): void {
    while (this.#total < this.#limits.total) {
      let chosen: string | undefined;
      for (const orgId of this.#waiting.keys()) {
        if (this.#fits(orgId)) {
          chosen = orgId;
          break;
        }
      }
      if (chosen === undefined) return;
      const queue = this.#waiting.get(chosen)!;
      const resolve = queue.shift()!;
      // The organisation goes to the back of the turn.
      this.#waiting.delete(chosen);
      if (queue.length > 0) this.#waiting.set(chosen, queue);
      this.#take(chosen);
      resolve();
    }
  }
}
