/**
 * Lanes for the async calls into isolates (`apply`, not `applySync`).
 *
 * isolated-vm runs each async call on a thread of one pool per process, of as many threads
 * as the machine has cores, plus one. A call that finds every pool thread busy gets a
 * thread of its own, created for it and ended after it. Under a PUSH flood, a few dozen
 * runs are in flight, and each HTTP response hands its continuation to the isolate with
 * such a call. So the sandbox process created hundreds of threads a second, and spent more
 * CPU per event on thread hand-offs than on the hooks themselves.
 *
 * So async calls take a lane: at most one per core runs at once, and the others wait in
 * order. Then the pool always has a thread free, for these calls and for isolated-vm's own
 * work (contexts, compiles).
 *
 * A call that has held its lane for {@link LONG_MS} no longer counts against it. A hook
 * may spin for its whole time limit, and it must not hold back the calls of other
 * organisations' runs. The waiting calls then go on, and isolated-vm gives them threads
 * of their own, as it did before.
 */
import os from 'node:os';

/** How long a call holds its lane before it stops counting against it. */
const LONG_MS = 10;

interface Held {
  readonly since: number;
}

/** Lanes shared by the async isolate calls of one process. */
export class IsolateLanes {
  readonly #lanes: number;
  readonly #longMs: number;
  /** The calls that count against the lanes, oldest first. */
  readonly #held: Held[] = [];
  readonly #waiting: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(lanes: number = os.availableParallelism(), longMs: number = LONG_MS) {
    this.#lanes = Math.max(1, lanes);
    this.#longMs = longMs;
  }

  /** Calls waiting for a lane. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `call` once a lane is free; settles as it settles. */
  run<T>(call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        const held: Held = { since: performance.now() };
        this.#held.push(held);
        let settled: Promise<T>;
        try {
          settled = call();
        } catch (error) {
          settled = Promise.reject(error);
        }
        settled.then(resolve, reject).finally(() => this.#free(held));
      };
      if (this.#held.length < this.#lanes && this.#waiting.length === 0) start();
      else {
        this.#waiting.push(start);
        this.#watch();
      }
    });
  }

  #free(held: Held): void {
    const at = this.#held.indexOf(held);
    // Not there when it ran long and already stopped counting.
    if (at !== -1) this.#held.splice(at, 1);
    this.#next();
  }

  #next(): void {
    while (this.#held.length < this.#lanes && this.#waiting.length > 0) this.#waiting.shift()!();
  }

  /** While calls wait, the oldest held call is looked at again once it is due to run long. */
  #watch(): void {
    if (this.#timer !== undefined || this.#waiting.length === 0 || this.#held.length === 0) return;
    const due = this.#held[0].since + this.#longMs - performance.now();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = performance.now();
      while (this.#held.length > 0 && now - this.#held[0].since >= this.#longMs) this.#held.shift();
      this.#next();
      this.#watch();
    }, Math.max(1, Math.ceil(due)));
    // Never what keeps the process alive: the calls themselves are.
    this.#timer.unref();
  }
}

/** The lanes of this process: isolated-vm's pool is per process. */
export const isolateLanes = new IsolateLanes();
