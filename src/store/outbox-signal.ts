/**
 * Wake-ups for the outbox dispatcher when outbox events are written.
 *
 * - PostgreSQL: a trigger (migration 0003) sends {@link EVENTS_CHANNEL} on commit, to
 *   every node; the dispatcher listens through `engine.notifications`.
 * - SQLite: one process owns the file, so {@link appendEvent} calls
 *   {@link signalOutbox} in-process. It may fire before the writer commits; that is
 *   safe because SQLite has one connection: the dispatcher's read waits for the
 *   writer's transaction to end, and so sees the event.
 *
 * Listeners are per process, not per store: a wake-up for another store of the same
 * process (tests open many) costs that dispatcher one cheap read.
 */
import { createSignal } from '../domain/signal.js';

/** The PostgreSQL notification channel of outbox writes (named in migration 0003). */
export const EVENTS_CHANNEL = 'hookyard_events';

const outboxWrite = createSignal();

/** Calls `listener` whenever an event is appended in this process; returns the unsubscribe function. */
export const onOutboxWrite = outboxWrite.on;

/** Tells this process's dispatchers that an event was appended. */
export const signalOutbox = outboxWrite.emit;
