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

const timeoutOf = (session: Session) => Math.max(1, Math.ceil(session.remaining()));

/** A context holding one hook version. Create with {@link HookContext.load}. */
export class HookContext {
  readonly source: PreparedSource;
  readonly #context: ivm.Context;
  #entry: ivm.Reference | undefined;
  #session: Session | undefined;

  private constructor(source: PreparedSource, context: ivm.Context) {
    this.source = source;
    this.#context = context;
  }

  /**
   * Creates a context in `isolate`, runs `bootstrap` and the user's code (its top level
   * counts against `session`'s time) and collects the entry points.
   */
  static async load(isolate: ivm.Isolate, bootstrap: ivm.Script, source: PreparedSource, session: Session): Promise<HookContext> {
    const hc = new HookContext(source, await isolate.createContext());
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

  /** Runs one entry point; resolves with the isolate's JSON envelope. */
  dispatch(session: Session, payload: string): Promise<string> {
    this.#session = session;
    return this.#entry!.apply(undefined, ['run', payload], {
      result: { promise: true, copy: true },
      timeout: timeoutOf(session),
    }) as Promise<string>;
  }

  /** Detaches the finished run: later messages carrying its token are dropped. */
  detach(): void {
    this.#session = undefined;
  }

  release(): void {
    this.#session = undefined;
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
    return session.bridge.call(String(op), json);
  }

  #start(token: unknown, id: unknown, op: unknown, json: unknown): void {
    const session = this.#session;
    if (!session || session.token !== token || typeof json !== 'string') return;
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
