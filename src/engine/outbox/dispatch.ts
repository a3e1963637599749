/**
 * The outbox dispatcher (docs/hooks.md, "PUSH hooks"; docs/automations.md): fans the outbox out,
 * as durable jobs, to every consumer in {@link FAN_OUTS} — the PUSH hooks that want each
 * event, and the automations with an entity trigger that matches it.
 *
 * One batch is one transaction: read undispatched events in `seq` order, enqueue each
 * consumer's jobs for them (push/push-fan-out.ts: one `push.deliver` per matching enabled
 * PUSH hook; automations/triggers/entity.ts: one `automation.run` per matching enabled
 * automation), mark the events dispatched. The batch is first read without its payloads: only the events some consumer may want are
 * read whole and parsed (the API's writes make events whether or not anyone wants them;
 * a sync page asks {@link outboxWants} first and writes unwanted events dispatched).
 * - A crash before the commit leaves the events undispatched and no job: the next batch
 *   redoes it. The unique keys (`push:<hookId>:<eventId>`, `automation:<id>:<eventId>`)
 *   make a repeated enqueue a no-op in every other case too, so an event is never
 *   delivered twice per attempt.
 * - The ordering keys (`push:<hookId>:<entityId>`, `automation:<id>:<entityId>`) make one
 *   entity's events reach a hook or automation one at a time in commit order, while
 *   other entities run concurrently.
 * - Several PostgreSQL nodes: a transaction-level advisory lock lets one dispatcher run
 *   a batch at a time; the others skip instead of waiting, and try again
 *   {@link BUSY_RETRY_MS} later (what they were woken for may have committed after the
 *   holder's read). Two dispatchers interleaving batches could insert the jobs of a later
 *   event of one entity before those of an earlier one commit, and break per-entity
 *   order; one batch at a time cannot.
 *
 * Wake-ups: the store's signal once this process has committed events
 * (store/outbox-signal.ts), and a slow poll as the safety net for events written
 * elsewhere.
 */
import { sql, type Kysely } from 'kysely';
import { coerceError } from '../../domain/errors.js';
import type { ChangeType } from '../../domain/entity-events.js';
import type { NewJob } from '../../jobs/index.js';
import { toEvent } from '../../store/events.js';
import { onOutboxWrite } from '../../store/outbox-signal.js';
import type { Database } from '../../store/schema.js';
import { automationFanOut } from '../automations/triggers/entity.js';
import type { BackgroundService, EngineDeps } from '../deps.js';
import { pushFanOut } from '../push/push-fan-out.js';
import { onDeliveryDone } from './backpressure.js';
import type { FanOut } from './fan-out.js';

/** How the dispatcher runs. */
export interface DispatchOptions {
  /** Events per transaction; default 500. */
  readonly batchSize?: number;
  /**
   * Due deliveries above which the dispatcher waits (see backpressure.ts); it goes
   * on once half of them have ended. Default 64: enough to keep a worker busy, few
   * enough to keep claims cheap. Events wait in the outbox meanwhile.
   */
  readonly maxPending?: number;
  /** The safety-net poll when no wake-up comes, in ms; default 1000. */
  readonly pollIntervalMs?: number;
  readonly onError?: (error: Error) => void;
}

/** The fewest events a batch reads: a batch has fixed costs (its transaction, the consumers' reads). */
const MIN_READ = 16;

/** Any number: the key of the advisory lock that serialises dispatch batches across nodes. */
const DISPATCH_LOCK = 0x486b7964;

/** How soon a dispatcher that found another node's batch under way tries again: a batch takes milliseconds. */
const BUSY_RETRY_MS = 10;

/** Every consumer of the outbox, in the order their jobs are enqueued. */
export const FAN_OUTS: readonly FanOut[] = [pushFanOut, automationFanOut];

/**
 * Whether any consumer of the outbox may want `orgId`'s events of `entityType` and
 * `changeType`, read in the writer's transaction. A sync page whose events nobody wants
 * writes them already dispatched, so the dispatcher never reads or marks them (in a first
 * sync of 100,000 records, its selects, updates and commits were a sixth of the server's
 * CPU). A consumer enabled while such a page is being written may miss that page; one
 * enabled before it started gets every event.
 */
export async function outboxWants(trx: Kysely<Database>, orgId: string, entityType: string, changeType: ChangeType): Promise<boolean> {
  const consumers = await Promise.all(FAN_OUTS.map((fanOut) => fanOut.prepare(trx, [orgId])));
  return consumers.some((c) => c.wants(orgId, entityType, changeType));
}

/** The job kinds the dispatcher makes. */
const DELIVERY_KINDS = FAN_OUTS.flatMap((f) => f.kinds);

/** What one batch did. */
export interface DispatchedBatch {
  /** Events marked dispatched. */
  readonly events: number;
  /** Delivery jobs enqueued for them. */
  readonly deliveries: number;
  /** Whether more may wait: the batch was full, or cut short by the budget. */
  readonly more: boolean;
}

const NOTHING: DispatchedBatch = { events: 0, deliveries: 0, more: false };

/**
 * Dispatches one batch of undispatched events: up to `batchSize` events, in `seq` order,
 * stopping after the event whose jobs reach `maxJobs` (the room backpressure leaves), and
 * before the wanted event past the first `maxJobs` of them (each makes a job or more, an
 * echo none: more would not fit the budget, so they are not read whole).
 * The budget counts jobs, not events: the events nobody wants cost no room, so a first
 * PULL sync's 100,000 unwanted events go in full batches, not in batches of the room.
 *
 * @returns what it dispatched, or `busy` when another node holds the batch lock.
 */
export async function dispatchOutboxBatch(deps: Pick<EngineDeps, 'store' | 'queue'>, batchSize = 500, maxJobs = Infinity): Promise<DispatchedBatch | 'busy'> {
  const { db, engine } = deps.store;
  if (batchSize < 1) return NOTHING;
  return db.transaction().execute(async (trx) => {
    if (engine.name === 'postgres') {
      const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${DISPATCH_LOCK}) as locked`.execute(trx);
      if (!lock.rows[0]?.locked) return 'busy' as const;
    }
    const batch = await trx
      .selectFrom('events')
      .select(['seq', 'org_id', 'entity_type', 'change_type'])
      .where('dispatched_at', 'is', null)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (batch.length === 0) return NOTHING;
    const orgIds = [...new Set(batch.map((r) => r.org_id))];
    const consumers = await Promise.all(FAN_OUTS.map((fanOut) => fanOut.prepare(trx, orgIds)));
    const wanted = batch.filter((r) => consumers.some((c) => c.wants(r.org_id, r.entity_type, r.change_type))).map((r) => r.seq);
    // A wanted event makes a job at least (or none, for an echo): no more of them are read
    // whole than the budget can take. Under a flood the budget is the few dozen deliveries
    // the queue has room for, the batch up to 500 events.
    const read = wanted.slice(0, maxJobs);
    const jobs: NewJob[] = [];
    const rows = read.length === 0 ? [] : await trx.selectFrom('events').selectAll().where('seq', 'in', read).orderBy('seq').execute();
    // The last event dispatched: the batch's, the one before the first wanted event left
    // unread, or the one whose jobs filled the budget.
    let lastSeq = read.length < wanted.length ? wanted[read.length]! - 1 : batch[batch.length - 1]!.seq;
    for (const row of rows) {
      const event = toEvent(row);
      for (const consumer of consumers) jobs.push(...consumer.jobs(row.org_id, event));
      if (jobs.length >= maxJobs) {
        lastSeq = row.seq;
        break;
      }
    }
    const enqueued = await deps.queue.enqueue(jobs, { db: trx });
    const dispatched = batch.filter((r) => r.seq <= lastSeq).map((r) => r.seq);
    await trx.updateTable('events').set({ dispatched_at: Date.now() }).where('seq', 'in', dispatched).execute();
    return { events: dispatched.length, deliveries: enqueued.length, more: batch.length === batchSize || dispatched.length < batch.length };
  });
}

/**
 * Due delivery jobs (`push.deliver`, `automation.run`), counted up to `limit`. Jobs
 * waiting out a retry backoff are not counted, so a failing receiver does not hold back
 * other hooks' events.
 */
async function pendingDeliveries(db: Kysely<Database>, limit: number): Promise<number> {
  const rows = await db
    .selectFrom('jobs')
    .select('id')
    .where('status', '=', 'pending')
    .where('run_at', '<=', Date.now())
    .where('kind', 'in', DELIVERY_KINDS)
    .limit(limit)
    .execute();
  return rows.length;
}

/**
 * Runs the dispatcher until the returned function is called: drains the outbox at
 * start, on every wake-up and on every poll, keeping at most `maxPending` deliveries
 * pending.
 *
 * The pending deliveries are counted only when the room the last count left is used up,
 * or that count is older than the poll interval: a count is a read of the queue, and
 * batches of a busy outbox came every few events. The room a count leaves only shrinks
 * by what this dispatcher enqueues until the next count, so the bound holds as well as
 * with a count per batch; what other writers enqueue meanwhile is seen at that count.
 */
export function startOutboxDispatch(deps: EngineDeps, options: DispatchOptions = {}): () => Promise<void> {
  const batchSize = options.batchSize ?? 500;
  const maxPending = options.maxPending ?? 64;
  const onError = options.onError ?? ((error) => console.error(`[hookyard outbox dispatch] ${error.message}`));
  let stopped = false;
  let draining: Promise<void> | undefined;
  let again = false;
  let scheduled = false;
  let throttled = false;
  /** Deliveries ended since the dispatcher was throttled. */
  let ended = 0;
  /** Deliveries this dispatcher may still enqueue before it counts the queue again. */
  let room = 0;
  let countedAt = -Infinity;
  /**
   * Jobs per event in the last batch that dispatched any. The next batch reads about as
   * many events as the room can take: under a PUSH flood, every event is wanted and the
   * room is a few dozen deliveries, so reading 500 events (the batch size) to dispatch 30
   * made the read a fifth of the dispatcher's SQL. Events nobody wants make no jobs, and
   * then the batch reads its full size.
   */
  let jobsPerEvent = 1;
  /** A retry after a `busy` batch is set. */
  let retrying = false;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;

  /**
   * One batch, making no more jobs than the room left in the queue. True when more may
   * wait; after a batch cut short by the room, the next call finds the queue full, and a
   * delivery's end wakes the dispatcher.
   */
  const batch = async (): Promise<boolean> => {
    const stale = Date.now() - countedAt >= pollIntervalMs;
    // Throttled, an outbox write is no reason to count again: deliveries ending are (or the poll).
    if (throttled && ended < maxPending / 2 && !stale) return false;
    if (room <= 0 || stale) {
      countedAt = Date.now();
      room = maxPending - (await pendingDeliveries(deps.store.db, maxPending));
    }
    throttled = room <= 0;
    ended = 0;
    if (throttled) return false;
    const toRead = jobsPerEvent > 0 ? Math.ceil((room + 1) / jobsPerEvent) : batchSize;
    const result = await dispatchOutboxBatch(deps, Math.min(batchSize, Math.max(MIN_READ, toRead)), room);
    // `busy`: another node is in a batch, which may have read the outbox before this
    // process's events committed.
    if (result === 'busy') {
      if (!retrying) {
        retrying = true;
        setTimeout(() => {
          retrying = false;
          wake();
        }, BUSY_RETRY_MS).unref();
      }
      return false;
    }
    room -= result.deliveries;
    if (result.events > 0) jobsPerEvent = result.deliveries / result.events;
    return result.more;
  };

  const drain = async (): Promise<void> => {
    do {
      again = false;
      try {
        while (!stopped && (await batch()));
      } catch (thrown) {
        if (!stopped) onError(coerceError(thrown));
      }
    } while (again && !stopped);
  };

  const wake = (): void => {
    if (stopped) return;
    if (draining) {
      again = true;
      return;
    }
    if (scheduled) return;
    scheduled = true;
    // setImmediate folds a burst of writes into one batch.
    setImmediate(() => {
      scheduled = false;
      if (stopped) return;
      draining = drain().finally(() => (draining = undefined));
    });
  };

  const unsubscribe = onOutboxWrite(wake);
  const offDone = onDeliveryDone(() => {
    if (throttled && ++ended >= maxPending / 2) wake();
  });
  const poll = setInterval(wake, pollIntervalMs);
  wake();

  return async () => {
    stopped = true;
    clearInterval(poll);
    unsubscribe();
    offDone();
    await draining;
  };
}

/** The dispatcher as a background service of every `serve` and `worker` process. */
export const outboxDispatchService: BackgroundService = (deps) => startOutboxDispatch(deps);
