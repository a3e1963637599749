/** A process-local wake-up: listeners are called, synchronously, each time it is emitted. */
export interface Signal {
  /** Calls `listener` on every emit; returns the unsubscribe function. */
  on(listener: () => void): () => void;
  emit(): void;
}

export function createSignal(): Signal {
  const listeners = new Set<() => void>();
  return {
    on(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit() {
      for (const listener of listeners) listener();
    },
  };
}
