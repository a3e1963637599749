/**
 * Flow control between the outbox dispatcher and the job queue: the dispatcher keeps a
 * bounded number of deliveries pending and leaves the rest in the outbox, which is
 * durable too. Each finished delivery tells this process's dispatchers that there is
 * room again.
 */
import { createSignal } from '../../domain/signal.js';

const deliveryDone = createSignal();

/** Calls `listener` after each delivery of this process ends; returns the unsubscribe function. */
export const onDeliveryDone = deliveryDone.on;

/** Tells this process's dispatchers that a delivery ended. */
export const signalDeliveryDone = deliveryDone.emit;
