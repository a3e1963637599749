/**
 * The entry point of a sandbox process: the isolate engine, driven by the supervisor
 * over IPC. It holds no secrets of the server (its environment is nearly empty), no
 * database and no API; the KV store is reached through the supervisor.
 */
import { coerceError } from '../domain/errors.js';
import { Outbox } from './channel.js';
import { createIsolateSandbox, type LocalSandbox } from './isolate-sandbox.js';
import type { KvStore } from './kv.js';
import type { FromProcess, KvOp, ProcessOptions, ProcessRunRequest, ToProcess } from './protocol.js';
import { hookKey, type JsonValue, type RunRequest, type TextResult } from './types.js';

const outbox = new Outbox<FromProcess>((batch) => process.send?.(batch));
const send = (message: FromProcess) => outbox.push(message);

const kvCalls = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
let nextCall = 0;

/** The run's KV store, as calls to the supervisor. */
class RemoteKv implements KvStore {
  readonly #id: number;

  constructor(id: number) {
    this.#id = id;
  }

  get(key: string) {
    return this.#call('get', key);
  }

  set(key: string, value: JsonValue, options: { readonly ttlSeconds: number }) {
    return this.#call('set', key, value, options);
  }

  delete(key: string) {
    return this.#call('delete', key);
  }

  list(prefix: string) {
    return this.#call('list', prefix);
  }

  usage(exceptKey: string) {
    return this.#call('usage', exceptKey);
  }

  #call(op: KvOp, ...args: unknown[]): Promise<never> {
    return new Promise<never>((resolve, reject) => {
      const c = ++nextCall;
      kvCalls.set(c, { resolve, reject });
      send({ t: 'kv', id: this.#id, call: c, op, args });
    });
  }
}

let sandbox: LocalSandbox | undefined;
let maxRssBytes = Infinity;
let retiring = false;
let inFlight = 0;
let lastBusy = Date.now();
// Resident memory once the first run is done: what a warm process needs.
let warmRss: number | undefined;
/** Hook code by hook key, as the supervisor sent it: it says what to forget, and when. */
const sources = new Map<string, string>();

// Memory a burst of work leaves behind (heap, malloc arenas) is rarely given back to the
// system, so a process that has been idle this long with this much more than it had warm
// is replaced by a fresh one. Memory is looked at on a timer, not per run: reading it is a
// system call.
const IDLE_MS = 3_000;
const GROWTH_BYTES = 48 * 1024 * 1024;
const CHECK_MS = 500;

function retire(reason: string): void {
  if (retiring) return;
  retiring = true;
  send({ t: 'retire', reason });
}

function checkMemory(): void {
  if (warmRss === undefined) return;
  const rss = process.memoryUsage.rss();
  if (rss > maxRssBytes) retire('its memory grew past the bound');
  else if (inFlight === 0 && Date.now() - lastBusy >= IDLE_MS && rss > warmRss + GROWTH_BYTES) retire('it kept memory after a burst of work');
}
setInterval(checkMemory, CHECK_MS).unref();

async function run(id: number, crossing: ProcessRunRequest): Promise<void> {
  inFlight += 1;
  // The parsed request is this run's own: it is completed in place, not copied.
  const request = crossing as { -readonly [K in keyof RunRequest]: RunRequest[K] };
  const key = hookKey(request);
  let result: TextResult;
  try {
    if (crossing.code !== undefined) sources.set(key, crossing.code);
    const code = sources.get(key);
    // The supervisor sends the code whenever this process does not hold it: a bug otherwise.
    if (code === undefined) throw new Error(`The sandbox process holds no code for ${key}`);
    request.code = code;
    request.kv = new RemoteKv(id);
    result = await sandbox!.runAsText(request);
  } catch (thrown) {
    const message = coerceError(thrown).message;
    result = { status: 'failed', logs: [], http: [], error: { message, stack: '' }, durationMs: 0 };
  }
  // What is left of the log budget goes back with the result.
  send({ t: 'done', id, result, logBudget: crossing.logBudget });
  inFlight -= 1;
  lastBusy = Date.now();
  warmRss ??= process.memoryUsage.rss();
}

function receive(message: ToProcess): void {
  switch (message.t) {
    case 'init': {
      const options: ProcessOptions = message.options;
      maxRssBytes = options.maxRssBytes ?? Infinity;
      sandbox = createIsolateSandbox({ ...options, onStuckIsolate: () => retire('a hook thread kept running after its run ended') });
      send({ t: 'ready' });
      return;
    }
    case 'run':
      void run(message.id, message.request);
      return;
    case 'forget':
      sources.delete(message.key);
      return;
    case 'kv': {
      const pending = kvCalls.get(message.call);
      if (!pending) return;
      kvCalls.delete(message.call);
      if (message.ok) pending.resolve(message.value as never);
      else pending.reject(new Error(message.message));
      return;
    }
  }
}

process.on('message', (batch: readonly ToProcess[]) => {
  for (const message of batch) receive(message);
});

// Without its supervisor the process has no purpose. A plain exit would wait for an
// isolate thread that never ends, so the process ends itself the hard way.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
