import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the embedded database's write-ahead log back into the database from a thread of
 * its own, so that the thread that writes never does.
 *
 * SQLite's default is that the commit which takes the log past 1,000 pages also copies it
 * back (and syncs both files), inside that commit: on the main thread, where it held a
 * 1,000-record PULL page's commit for 3 ms of every 5 and made checkpoints a fifth of a
 * first sync's SQLite time. A passive checkpoint on another connection copies what is
 * committed while the writer goes on appending; the writer starts the log over once it
 * has all been copied. The writer's own checkpoint stays as a backstop at `backstopPages`,
 * for when this thread falls behind.
 */
export interface WalCheckpointer {
  /** Resolves once the thread has checkpointed a last time, closed its connection and ended. */
  stop(): Promise<void>;
}

/** How often the thread checkpoints: a passive checkpoint of an empty log costs microseconds. */
export const EVERY_MS = 200;
/** Pages (4 KiB) the writer lets the log reach before it checkpoints itself. */
export const BACKSTOP_PAGES = 16_384;

// CommonJS, evaluated in the worker: better-sqlite3 is resolved here and handed over by path,
// so the thread needs no file of its own (the same code runs from `src/` under the tests).
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});`;

/** Starts checkpointing `file` (a database in WAL mode) in a worker thread. */
export function startWalCheckpointer(file: string): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // A small heap: the thread holds one connection and a timer.
  const worker = new Worker(THREAD, { eval: true, workerData: { file, driver, everyMs: EVERY_MS }, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 2, stackSizeMb: 1 } });
  // A checkpointer that failed leaves the writer's backstop doing the work: nothing to report.
  worker.on('error', () => undefined);
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: () => {
      // Held while it stops, so that a process awaiting this does not end before the thread.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
