/**
 * One hook version loaded into a V8 context: bootstrap run, user code evaluated, entry
 * points collected. Reused for sequential runs of the same version; each run attaches
 * its {@link Session} and only that session's token is answered.
 */
import ivm from 'isolated-vm';
import type { Bridge } from './bridge.js';
import type { PreparedSource } from './compile.js';
import { compileIn } from './compile.js';

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
 * and its log lines are taken back), and its hook version runs there from then on.
 */
const ON_CALLER_MS = 10;

/** Sources whose runs take longer than {@link ON_CALLER_MS}: they run on the isolate's thread. */
const onIsolateThread = new WeakSet<PreparedSource>();

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
      const setup = (await bootstrap.run(hc.#context, { reference: true, timeout: timeoutOf(session) })) as ivm.Reference;
      const entry = await setup.apply(undefined, [call, start, session.token], { result: { reference: true }, timeout: timeoutOf(session) });
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
   * released; run it again in a fresh one, where it goes to the isolate's thread).
   */
  dispatch(session: Session, payload: string): Promise<string> | typeof START_OVER {
    this.#session = session;
    let fail!: (error: unknown) => void;
    const envelope = new Promise<string>((resolve, reject) => {
      this.#report = resolve;
      fail = reject;
    });
    if (onIsolateThread.has(this.source)) {
      this.#entry!.apply(undefined, ['run', payload], { timeout: timeoutOf(session) }).catch(fail);
      return envelope;
    }
    const timeout = timeoutOf(session);
    const cutOff = ON_CALLER_MS < timeout;
    const mark = session.bridge.mark();
    const deferred: (() => void)[] = (this.#deferred = []);
    const startOver = (): typeof START_OVER => {
      onIsolateThread.add(this.source);
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
      this.#entry!.applySync(undefined, ['run', payload], { timeout: cutOff ? ON_CALLER_MS : timeout });
    } catch (error) {
      // Only the timeout escapes the bootstrap's 'run', or the heap limit's disposal (judged as it is).
      const cut = cutOff && !this.#isolate.isDisposed;
      // Cut off before the envelope came: the run starts over.
      if (cut && reported === undefined) return startOver();
      if (cut) onIsolateThread.add(this.source);
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

  #call(token: unknown, op: unknown, json: unknown): string {
    const session = this.#session;
    if (!session || session.token !== token || typeof json !== 'string') return OVER;
    if (op === 'done') {
      const report = this.#report;
      this.#report = undefined;
      report?.(json);
      return OK;
    }
    return session.bridge.call(String(op), json);
  }

  #start(token: unknown, id: unknown, op: unknown, json: unknown): void {
    const session = this.#session;
    if (!session || session.token !== token || typeof json !== 'string') return;
    if (this.#deferred) {
      this.#deferred.push(() => this.#startNow(session, id, op, json));
      return;
    }
    this.#startNow(session, id, op, json);
  }

  #startNow(session: Session, id: unknown, op: unknown, json: string): void {
    session.bridge.start(String(op), json, (envelope) => {
      if (this.#session !== session) return;
      try {
        this.#entry!.apply(undefined, ['deliver', Number(id), envelope], { timeout: timeoutOf(session) }).catch((err: unknown) =>
          session.fail(err),
        );
      } catch (err) {
        session.fail(err);
      }
    });
  }
}
