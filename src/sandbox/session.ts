/**
 * The life of one run on the host: its token, bridge and wall-clock deadline, and the
 * first of the ways it can end (returned, breached a limit, timed out, crashed).
 */
import { Bridge } from './bridge.js';
import type { BridgeOptions, LimitBreach } from './bridge.js';
import type { Session } from './hook-context.js';
import type { Limits } from './limits.js';
import { timeLeft } from './types.js';

/** How a run ended; the first one to happen wins. */
export type Outcome =
  | { readonly kind: 'returned'; readonly envelope: string }
  | { readonly kind: 'breach'; readonly breach: LimitBreach }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'crashed'; readonly error: unknown };

let nextToken = 1;

/** One run in progress. `close()` it in `finally`. */
export class RunSession implements Session {
  readonly token = nextToken++;
  readonly bridge: Bridge;
  readonly outcome: Promise<Outcome>;
  readonly #deadline: number;
  readonly #timer: NodeJS.Timeout;
  #settle!: (outcome: Outcome) => void;

  constructor(limits: Limits, options: Omit<BridgeOptions, 'limits' | 'remaining' | 'onBreach'>) {
    this.outcome = new Promise((resolve) => (this.#settle = resolve));
    const ms = timeLeft(limits, options.spent);
    this.#deadline = performance.now() + ms;
    // Per-call timeouts stop spins; this stops what they cannot, a promise that never settles.
    this.#timer = setTimeout(() => this.#settle({ kind: 'timeout' }), ms);
    // The spread last: on Node 20's V8 a literal that starts with a spread and then adds a
    // property gets a hidden class of its own on every run (bench/README.md, Inbound, "Peak RSS").
    this.bridge = new Bridge({
      limits,
      remaining: () => this.remaining(),
      onBreach: (breach) => this.#settle({ kind: 'breach', breach }),
      ...options,
    });
  }

  remaining(): number {
    return Math.max(0, this.#deadline - performance.now());
  }

  fail(error: unknown): void {
    this.#settle({ kind: 'crashed', error });
  }

  /** Runs `work` (which resolves with the isolate's envelope) and waits for the outcome. */
  execute(work: () => Promise<string>): Promise<Outcome> {
    work().then(
      (envelope) => this.#settle({ kind: 'returned', envelope }),
      (error: unknown) => this.#settle({ kind: 'crashed', error }),
    );
    return this.outcome;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.bridge.close();
  }
}
