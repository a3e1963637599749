/**
 * One hook version loaded into a V8 context: bootstrap run, user code evaluated, entry
 * points collected. Reused for sequential runs of the same version; each run attaches
 * its {@link Session} and only that session's token is answered.
 */
import ivm from 'isolated-vm';
import type { Bridge } from './bridge.js';
import type { PreparedSource } from './compile.js';
import { compileIn } from './compile.js';
import { isolateLanes } from './isolate-lanes.js';

/** The run currently using a context, as the context sees it. */
export interface Session {
  readonly token: number;
  readonly bridge: Bridge;
  /** Milliseconds left in the run. */
  remaining(): number;
  /** An isolate call failed (timeout, memory, disposal): the run ends. */
  fail(error: unknown): void;
}

const OVER = JSON.stringify({ ok: false, error: { name: 'Error', message: 'This run is over' } });
const OK = '{"ok":true}';

const timeoutOf = (session: Session) => Math.max(1, Math.ceil(session.remaining()));

/**
 * A run's synchronous part is first run on the calling thread, for at most this long: most
 * runs end there, without the two thread hops of a call on the isolate's own thread. The
 * calling thread serves every other run of the process, so a run that takes longer is cut
 * off and started over on the isolate's thread in a fresh context (nothing it did has left
 * the sandbox yet: its async host calls are only started once its synchronous part is done,
 * and its log lines are taken back), and its hook version's next runs go there.
 *
 * Only for a while: a cut-off may say nothing of the hook, when the process was preempted
 * or collecting garbage for 10 ms on a loaded machine (under a PUSH flood on two cores, the
 * one hook of the benchmark was cut off once in its first seconds, and each of its
 * thousands of runs after paid the thread hops). So a source cut off spends
 * {@link FIRST_STAY} runs on the isolate's thread, then is tried on the calling thread
 * again; each further cut-off doubles its stay, up to {@link MAX_STAY} runs, so a hook that
 * is slow every time wastes at most one cut-off in thousands of runs.
 */
const ON_CALLER_MS = 10;

/** Runs on the isolate's thread after a source's first cut-off. */
export const FIRST_STAY = 16;
/** The longest stay on the isolate's thread, in runs. */
const MAX_STAY = 4096;

/** A source's cut-offs so far, and how many of its next runs go to the isolate's thread. */
interface Stay {
  cuts: number;
  left: number;
}

const stays = new WeakMap<PreparedSource, Stay>();

/** `source` was cut off on the calling thread: its next runs go to the isolate's thread. */
function cutOff(source: PreparedSource): void {
  const stay = stays.get(source) ?? { cuts: 0, left: 0 };
  stay.left = Math.min(FIRST_STAY * 2 ** stay.cuts, MAX_STAY);
  stay.cuts += 1;
  stays.set(source, stay);
}

/** Whether this run of `source` goes to the isolate's thread (counting it against its stay). */
function onIsolateThread(source: PreparedSource): boolean {
  const stay = stays.get(source);
  if (stay === undefined || stay.left === 0) return false;
  stay.left -= 1;
  return true;
}

/** What {@link HookContext.dispatch} answers when the run must start over in a fresh context. */
export const START_OVER = Symbol('start over');

/** How the bootstrap's envelope of a returned value it could not stringify starts. */
const UNJSON = '{"unjson":true,';

/** A context holding one hook version. Create with {@link HookContext.load}. */
export class HookContext {
  readonly source: PreparedSource;
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  #entry: ivm.Reference | undefined;
  #session: Session | undefined;
  /** Settles the current run with its envelope (the first one reported). */
  #report: ((envelope: string) => void) | undefined;
  /** Async host calls asked for during a synchronous part on the calling thread, not yet started. */
  #deferred: (() => void)[] | undefined;
  #released = false;

  private constructor(source: PreparedSource, isolate: ivm.Isolate, context: ivm.Context) {
    this.source = source;
    this.#isolate = isolate;
    this.#context = context;
  }

  /**
   * Creates a context in `isolate`, runs `bootstrap` and the user's code (its top level
   * counts against `session`'s time) and collects the entry points.
   */
  static async load(isolate: ivm.Isolate, bootstrap: ivm.Script, source: PreparedSource, session: Session): Promise<HookContext> {
    const hc = new HookContext(source, isolate, await isolate.createContext());
    try {
      hc.#session = session;
      const call = new ivm.Callback((token: unknown, op: unknown, json: unknown) => hc.#call(token, op, json));
      const start = new ivm.Callback((token: unknown, id: unknown, op: unknown, json: unknown) => hc.#start(token, id, op, json));
      // From the isolate's thread, a run's envelope: that thread does not wait for this one to take it.
      const report = new ivm.Callback((token: unknown, json: unknown) => void hc.#done(token, json), { ignored: true });
      const setup = (await bootstrap.run(hc.#context, { reference: true, timeout: timeoutOf(session) })) as ivm.Reference;
      const entry = await setup.apply(undefined, [call, start, report, session.token], { result: { reference: true }, timeout: timeoutOf(session) });
      setup.release();
      hc.#entry = entry;
      const compiled = await compileIn(isolate, source);
      if (source.form === 'module') {
        const module = compiled as ivm.Module;
        await module.instantiate(hc.#context, (specifier) => {
          throw new Error(`Cannot import "${specifier}": hooks cannot import modules`);
        });
        await module.evaluate({ timeout: timeoutOf(session) });
        await entry.apply(undefined, ['collect-module', module.namespace.derefInto()], { timeout: timeoutOf(session) });
      } else {
        const script = compiled as ivm.Script;
        await script.run(hc.#context, { timeout: timeoutOf(session) });
        script.release();
        await entry.apply(undefined, ['collect-script'], { timeout: timeoutOf(session) });
      }
      return hc;
    } catch (err) {
      hc.release();
      throw err;
    }
  }

  /** False once released: load a fresh context. */
  get usable(): boolean {
    return !this.#released;
  }

  /**
   * Runs one entry point; resolves with the isolate's JSON envelope, or answers
   * {@link START_OVER} when the run was cut off on the calling thread (this context is then
   * released; run it again in a fresh one with `startedOver`, which sends it to the
   * isolate's thread).
   */
  dispatch(session: Session, payload: string, startedOver = false): Promise<string> | typeof START_OVER {
    this.#session = session;
    let fail!: (error: unknown) => void;
    const envelope = new Promise<string>((resolve, reject) => {
      this.#report = resolve;
      fail = reject;
    });
    if (startedOver || onIsolateThread(this.source)) {
      isolateLanes.run(() => this.#entry!.apply(undefined, ['run', payload, true], { timeout: timeoutOf(session) })).catch(fail);
      return envelope;
    }
    const timeout = timeoutOf(session);
    const cuttable = ON_CALLER_MS < timeout;
    const mark = session.bridge.mark();
    const deferred: (() => void)[] = (this.#deferred = []);
    const startOver = (): typeof START_OVER => {
      cutOff(this.source);
      this.#deferred = undefined;
      mark.undo();
      this.release();
      return START_OVER;
    };
    let reported: string | undefined;
    const report = this.#report;
    this.#report = (text) => {
      reported = text;
      report?.(text);
    };
    try {
      this.#entry!.applySync(undefined, ['run', payload], { timeout: cuttable ? ON_CALLER_MS : timeout });
    } catch (error) {
      // Only the timeout escapes the bootstrap's 'run', or the heap limit's disposal (judged as it is).
      const cut = cuttable && !this.#isolate.isDisposed;
      // Cut off before the envelope came: the run starts over.
      if (cut && reported === undefined) return startOver();
      if (cut) cutOff(this.source);
      // No-op when the envelope came before the call was cut off: the run is over then.
      fail(error);
    }
    // A value this thread's stack could not stringify may be one the isolate's thread can.
    if (reported?.startsWith(UNJSON)) return startOver();
    this.#deferred = undefined;
    for (const start of deferred) start();
    return envelope;
  }

  /** Detaches the finished run: later messages carrying its token are dropped. */
  detach(): void {
    this.#session = undefined;
  }

  release(): void {
    this.#session = undefined;
    this.#report = undefined;
    this.#released = true;
    try {
      this.#entry?.release();
      this.#context.release();
    } catch {
      // The isolate is already gone (memory limit or disposal), and the context with it.
    }
  }

  /** The session a message from the isolate is for, when it carries that session's token. */
  #sessionOf(token: unknown): Session | undefined {
    const session = this.#session;
    return session?.token === token ? session : undefined;
  }

  #call(token: unknown, op: unknown, json: unknown): string {
    if (op === 'done') return this.#done(token, json);
    const session = this.#sessionOf(token);
    return session && typeof json === 'string' ? session.bridge.call(String(op), json) : OVER;
  }

  /** A run's envelope, reported once. */
  #done(token: unknown, json: unknown): string {
    if (!this.#sessionOf(token) || typeof json !== 'string') return OVER;
    const report = this.#report;
    this.#report = undefined;
    report?.(json);
    return OK;
  }

  #start(token: unknown, id: unknown, op: unknown, json: unknown): void {
    const session = this.#sessionOf(token);
    if (!session || typeof json !== 'string') return;
    if (this.#deferred) {
      this.#deferred.push(() => this.#startNow(session, id, op, json));
      return;
    }
    this.#startNow(session, id, op, json);
  }

  #startNow(session: Session, id: unknown, op: unknown, json: string): void {
    session.bridge.start(String(op), json, (envelope, text) => {
      if (this.#session !== session) return;
      isolateLanes
        .run(async () => {
          // The run may have ended while the call waited for its lane.
          if (this.#session === session) await this.#entry!.apply(undefined, ['deliver', Number(id), envelope, text], { timeout: timeoutOf(session) });
        })
        .catch((err: unknown) => session.fail(err));
    });
  }
}
