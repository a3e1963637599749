/**
 * The sandbox's engine: runs hook code in pooled isolates of this process with a
 * JSON-only ctx, under limits and the egress policy, and reports a {@link RunResult}.
 * It knows nothing of the store or the API; the KV store and secrets are handed in
 * with each request.
 *
 * Isolates can take their process down (a heap OOM inside isolated-vm aborts it) or
 * leave a thread spinning past every timeout, so the platform runs this engine only
 * inside supervised sandbox processes (supervisor.ts); tests of the engine's own
 * rules may run it in-process.
 */
import { coerceError } from '../domain/errors.js';
import type { PreparedSource } from './compile.js';
import { prepareSource } from './compile.js';
import type { EgressOptions } from './egress.js';
import { Egress } from './egress.js';
import type { HookContext } from './hook-context.js';
import { START_OVER } from './hook-context.js';
import { dryRunKv } from './kv.js';
import { deploymentLimits, resolveLimits, type HookLimits, type HookType, type LimitOverrides, type Limits } from './limits.js';
import { judge, readValue } from './outcome.js';
import { callRemote } from './remote-call.js';
import type { Observed, Verdict } from './outcome.js';
import { IsolatePool } from './pool.js';
import type { IsolateHandle } from './pool.js';
import { createRedactor } from './redact.js';
import { RunSession } from './session.js';
import type { Outcome } from './session.js';
import type { RunRequest, RunResult, Sandbox, TextResult } from './types.js';
import { entryOf, hookKey } from './types.js';

/** Settings of the isolate engine; every field has a production default. */
export interface IsolateSandboxOptions {
  /** Egress policy settings, or a shared {@link Egress} (then the caller closes it). */
  readonly egress?: EgressOptions | Egress;
  /** Idle isolates kept warm over all organisations. Default 8. */
  readonly maxIdleIsolates?: number;
  /** Hook versions kept loaded per isolate. Default 8. */
  readonly maxContextsPerIsolate?: number;
  /** Reuse a context for sequential runs of one hook version. Default true. */
  readonly reuseContexts?: boolean;
  /** Heap the idle isolates may hold together, in MB (garbage included). Default 128. */
  readonly maxIdleHeapMb?: number;
  /** Prepared sources kept (TypeScript transforms are the costly part). Default 500. */
  readonly maxCachedSources?: number;
  /** The deployment's limits, where they differ from the defaults. */
  readonly limits?: LimitOverrides;
  /**
   * Called when an isolate's thread is still running after its run ended: a spin that
   * no timeout stops (V8 cannot interrupt some host-side reads). Only ending the
   * process stops it; the supervisor retires the process.
   */
  readonly onStuckIsolate?: () => void;
}

// After a run ended for time, its isolate's thread should be idle within this long ...
const SETTLE_MS = 100;
// ... and then use at most this much CPU over the next SETTLE_MS.
const STUCK_CPU_MS = 50;

/** A {@link Sandbox} that runs isolates in this process (see the file's comment). */
export interface LocalSandbox extends Sandbox {
  /** {@link Sandbox.run}, with the value left as the isolate wrote it: what a sandbox process sends on. */
  runAsText(request: RunRequest): Promise<TextResult>;
}

export function createIsolateSandbox(options: IsolateSandboxOptions = {}): LocalSandbox {
  return new IsolateSandbox(options);
}

class IsolateSandbox implements LocalSandbox {
  readonly #limits: HookLimits;
  readonly #pool: IsolatePool;
  readonly #egress: Egress;
  readonly #ownsEgress: boolean;
  readonly #sources = new Map<string, PreparedSource>();
  readonly #maxSources: number;
  readonly #onStuck: (() => void) | undefined;

  constructor(options: IsolateSandboxOptions) {
    this.#pool = new IsolatePool({
      maxIdleIsolates: options.maxIdleIsolates ?? 8,
      maxContextsPerIsolate: options.maxContextsPerIsolate ?? 8,
      reuseContexts: options.reuseContexts ?? true,
      maxIdleHeapBytes: (options.maxIdleHeapMb ?? 128) * 1024 * 1024,
    });
    this.#ownsEgress = !(options.egress instanceof Egress);
    this.#egress = options.egress instanceof Egress ? options.egress : new Egress(options.egress);
    this.#maxSources = options.maxCachedSources ?? 500;
    this.#limits = deploymentLimits(options.limits);
    this.#onStuck = options.onStuckIsolate;
  }

  limits(type: HookType): Limits {
    return this.#limits[type];
  }

  async run(request: RunRequest): Promise<RunResult> {
    return readValue(await this.runAsText(request));
  }

  async runAsText(request: RunRequest): Promise<TextResult> {
    const started = performance.now();
    const limits = resolveLimits(request.type, request.limits, this.#limits);
    const entry = entryOf(request);
    const redactor = createRedactor(request.secrets);
    if (request.remote) {
      const { value, ...result } = await callRemote(request, entry, limits, this.#egress, redactor);
      return value === undefined ? result : { ...result, valueText: JSON.stringify(value) };
    }
    const session = new RunSession(limits, {
      kv: request.dryRun ? dryRunKv(request.kv) : request.kv,
      egress: this.#egress,
      redactor,
      logBudget: request.logBudget ?? { bytes: limits.logBytes, lines: limits.logLines, exhausted: false },
      ...(request.spent && { spent: request.spent }),
    });
    const key = hookKey(request);
    let source: PreparedSource | undefined;
    let handle: IsolateHandle | undefined;
    let hc: HookContext | undefined;
    let verdict: Verdict;
    let watched = false;
    let heapBytes = 0;
    try {
      let outcome: Outcome;
      try {
        source = await this.#source(key, request);
        const prepared = source;
        // One isolate per integration: one integration's leftover heap cannot fail another's run.
        const isolate = (handle = this.#pool.acquire(`${request.orgId}/${request.integrationId ?? ''}`, limits.memoryMb));
        const payload = JSON.stringify({
          token: session.token,
          entry,
          input: request.input,
          ctx: request.ctx ?? {},
          secrets: request.secrets ?? {},
          maxResultChars: limits.resultBytes,
          maxLogChars: limits.logBytes,
        });
        outcome = await session.execute(async () => {
          hc = await isolate.context(key, prepared, session);
          const envelope = hc.dispatch(session, payload);
          if (envelope !== START_OVER) return envelope;
          // Cut off on this thread: again in a fresh context, on the isolate's thread.
          hc = await isolate.context(key, prepared, session);
          // A run started over goes to the isolate's thread: it is not cut off again.
          return hc.dispatch(session, payload, true) as Promise<string>;
        });
      } catch (error) {
        outcome = { kind: 'crashed', error };
      } finally {
        session.close();
      }
      // After a timeout or a breach the isolate's thread may still be busy, and reading its
      // heap would wait for it: only a run that ended by itself is observed.
      const settled = outcome.kind === 'returned' || outcome.kind === 'crashed';
      const observed = observe(settled ? handle : undefined, session.remaining());
      heapBytes = observed.memoryBytes;
      verdict = judge(outcome, source, limits, redactor, observed);
      if (verdict.status === 'timed_out') watched = this.#watchForSpin(handle);
    } catch (error) {
      // Only a fault of ours gets here; the run still ends with a record, and its isolate goes.
      verdict = { status: 'failed', error: { message: `The sandbox failed while ending the run: ${coerceError(error).message}`, stack: '' }, discard: true };
    } finally {
      if (handle) {
        if (hc) handle.done(hc);
        if (watched) {
          // #watchForSpin disposes it.
        } else if (verdict!.discard) handle.dispose();
        else this.#pool.release(handle, heapBytes);
      }
    }
    return {
      status: verdict.status,
      ...(verdict.valueText === undefined ? {} : { valueText: verdict.valueText }),
      logs: session.bridge.logs,
      http: session.bridge.http,
      ...(verdict.error ? { error: verdict.error } : {}),
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
  }

  /**
   * Keeps a timed-out isolate's thread under watch before it is disposed (disposal does
   * not stop a spinning thread, and the CPU clock is read from the live isolate).
   */
  #watchForSpin(handle: IsolateHandle | undefined): boolean {
    const onStuck = this.#onStuck;
    if (!onStuck || !handle || handle.disposed) return false;
    const isolate = handle.isolate;
    const cpuMs = () => (isolate.isDisposed ? 0 : Number(isolate.cpuTime) / 1e6);
    setTimeout(() => {
      const before = cpuMs();
      setTimeout(() => {
        if (cpuMs() - before > STUCK_CPU_MS) onStuck();
        handle.dispose();
      }, SETTLE_MS).unref();
    }, SETTLE_MS).unref();
    return true;
  }

  async close(): Promise<void> {
    this.#pool.close();
    if (this.#ownsEgress) await this.#egress.close();
  }

  async #source(key: string, request: RunRequest): Promise<PreparedSource> {
    const cached = this.#sources.get(key);
    const filename = request.language === 'typescript' ? 'hook.ts' : 'hook.js';
    if (cached && cached.original === request.code && cached.filename === filename) return cached;
    const source = await prepareSource(request.code, request.language);
    this.#sources.delete(key);
    this.#sources.set(key, source);
    for (const oldKey of this.#sources.keys()) {
      if (this.#sources.size <= this.#maxSources) break;
      this.#sources.delete(oldKey);
    }
    return source;
  }
}

/** What the platform can see of an isolate once its run ended. */
function observe(handle: IsolateHandle | undefined, remainingMs: number): Observed {
  if (!handle || handle.disposed) return { isolateDisposed: handle !== undefined, memoryBytes: 0, remainingMs };
  try {
    const heap = handle.isolate.getHeapStatisticsSync();
    return { isolateDisposed: false, memoryBytes: heap.used_heap_size + heap.externally_allocated_size, remainingMs };
  } catch {
    return { isolateDisposed: true, memoryBytes: 0, remainingMs };
  }
}
