/**
 * Flow control between the PUSH dispatcher and the job queue. A claim looks at every
 * pending job to honour ordering keys, so a queue of thousands of pending deliveries
 * makes each claim slow; the dispatcher therefore keeps at most a few hundred pending
 * and leaves the rest in the outbox, which is durable too. Each finished delivery
 * tells this process's dispatchers that there is room again.
 */

const listeners = new Set<() => void>();

/** Calls `listener` after each delivery of this process ends; returns the unsubscribe function. */
export function onDeliveryDone(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Tells this process's dispatchers that a delivery ended. */
export function signalDeliveryDone(): void {
  for (const listener of listeners) listener();
}
