import { HookyardError } from '../domain/errors.js';
import type { JobHandler } from './types.js';

/** The handlers by job kind; a worker claims only the kinds registered here. */
export class HandlerTable {
  readonly #handlers = new Map<string, JobHandler>();

  /**
   * Registers the handler of `kind`.
   *
   * @returns its unregister function.
   * @example const off = handlers.register('push.deliver', { run: deliver }); … off();
   */
  register<P>(kind: string, handler: JobHandler<P>): () => void {
    if (this.#handlers.has(kind)) throw new HookyardError('HY_CONFLICT', `a handler for job kind "${kind}" is already registered`);
    // The payload of a kind is whatever its enqueuers stored: the handler owns that contract.
    const entry = handler as JobHandler;
    this.#handlers.set(kind, entry);
    return () => {
      if (this.#handlers.get(kind) === entry) this.#handlers.delete(kind);
    };
  }

  get(kind: string): JobHandler | undefined {
    return this.#handlers.get(kind);
  }

  /** The registered kinds. */
  kinds(): string[] {
    return [...this.#handlers.keys()];
  }
}
