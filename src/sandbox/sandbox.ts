/**
 * The sandbox: runs hook code in pooled isolates with a JSON-only ctx, under limits
 * and the egress policy, and reports a {@link RunResult}. It knows nothing of the
 * store or the API; the KV store and secrets are handed in with each request.
 */
import { HookyardError } from '../domain/errors.js';
import type { PreparedSource } from './compile.js';
import { prepareSource } from './compile.js';
import type { EgressOptions } from './egress.js';
import { Egress } from './egress.js';
import type { HookContext } from './hook-context.js';
import { dryRunKv } from './kv.js';
import { resolveLimits } from './limits.js';
import { judge } from './outcome.js';
import { IsolatePool } from './pool.js';
import { createRedactor } from './redact.js';
import { RunSession } from './session.js';
import type { Outcome } from './session.js';
import type { RunRequest, RunResult } from './types.js';
import { ENTRY_POINTS } from './types.js';

/** Settings of a {@link Sandbox}; every field has a production default. */
export interface SandboxOptions {
  /** Egress policy settings, or a shared {@link Egress} (then the caller closes it). */
  readonly egress?: EgressOptions | Egress;
  /** Idle isolates kept warm over all organisations. Default 8. */
  readonly maxIdleIsolates?: number;
  /** Hook versions kept loaded per isolate. Default 8. */
  readonly maxContextsPerIsolate?: number;
  /** Reuse a context for sequential runs of one hook version. Default true. */
  readonly reuseContexts?: boolean;
  /** Prepared sources kept (TypeScript transforms are the costly part). Default 500. */
  readonly maxCachedSources?: number;
}

/** Runs hooks. One per process is enough; `close()` on shutdown. */
export interface Sandbox {
  /**
   * Runs one entry point of a hook. Never rejects for anything the hook does: syntax
   * errors, throws, limit breaches and timeouts all come back as a result.
   * @example
   * const result = await sandbox.run({ orgId, hookId, hookVersion: 3, type: 'push', code,
   *   ctx: { event }, secrets, kv });
   */
  run(request: RunRequest): Promise<RunResult>;
  /** Disposes idle isolates and closes outbound connections. */
  close(): Promise<void>;
}

/** Creates a {@link Sandbox}. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return new IsolateSandbox(options);
}

class IsolateSandbox implements Sandbox {
  readonly #pool: IsolatePool;
  readonly #egress: Egress;
  readonly #ownsEgress: boolean;
  readonly #sources = new Map<string, PreparedSource>();
  readonly #maxSources: number;

  constructor(options: SandboxOptions) {
    this.#pool = new IsolatePool({
      maxIdleIsolates: options.maxIdleIsolates ?? 8,
      maxContextsPerIsolate: options.maxContextsPerIsolate ?? 8,
      reuseContexts: options.reuseContexts ?? true,
    });
    this.#ownsEgress = !(options.egress instanceof Egress);
    this.#egress = options.egress instanceof Egress ? options.egress : new Egress(options.egress);
    this.#maxSources = options.maxCachedSources ?? 500;
  }

  async run(request: RunRequest): Promise<RunResult> {
    const started = performance.now();
    const limits = resolveLimits(request.type, request.limits);
    const entry = request.entry ?? 'run';
    if (!ENTRY_POINTS.includes(entry)) {
      throw new HookyardError('HY_BAD_REQUEST', `entry must be one of ${ENTRY_POINTS.join(', ')}`);
    }
    const redactor = createRedactor(request.secrets);
    const session = new RunSession(limits, {
      kv: request.dryRun ? dryRunKv(request.kv) : request.kv,
      egress: this.#egress,
      redactor,
      logBudget: request.logBudget ?? { bytes: limits.logBytes, lines: limits.logLines, exhausted: false },
    });
    const key = `${request.hookId}@${request.hookVersion}`;
    let source: PreparedSource | undefined;
    let handle;
    let hc: HookContext | undefined;
    let outcome: Outcome;
    try {
      source = await this.#source(key, request);
      const prepared = source;
      const isolate = (handle = this.#pool.acquire(request.orgId, limits.memoryMb));
      const payload = JSON.stringify({
        token: session.token,
        entry,
        input: request.input,
        ctx: request.ctx ?? {},
        secrets: request.secrets ?? {},
        maxResultChars: limits.resultBytes,
      });
      outcome = await session.execute(async () => {
        hc = await isolate.context(key, prepared, session);
        return hc.dispatch(session, payload);
      });
    } catch (error) {
      outcome = { kind: 'crashed', error };
    } finally {
      session.close();
    }
    const verdict = judge(outcome, source, limits, redactor);
    if (handle) {
      if (hc) handle.done(hc);
      if (verdict.discard) handle.dispose();
      else this.#pool.release(handle);
    }
    return {
      status: verdict.status,
      ...(verdict.value === undefined ? {} : { value: verdict.value }),
      logs: session.bridge.logs,
      http: session.bridge.http,
      ...(verdict.error ? { error: verdict.error } : {}),
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
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
