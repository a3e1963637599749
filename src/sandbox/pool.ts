/**
 * Isolates kept warm between runs. An isolate belongs to one tenant — an organisation's
 * integration — (and one heap size) for its whole life and serves one run at a time; it
 * holds a few contexts, one per hook version, for warm reuse.
 */
import ivm from 'isolated-vm';
import type { PreparedSource } from './compile.js';
import type { Session } from './hook-context.js';
import { HookContext } from './hook-context.js';
import { ISOLATE_BOOTSTRAP } from './isolate-bootstrap.js';

/** Sizes of the pool. */
export interface PoolOptions {
  /** Idle isolates kept over all organisations; the least recently used go first. */
  readonly maxIdleIsolates: number;
  /** Hook versions kept loaded per isolate. */
  readonly maxContextsPerIsolate: number;
  /** Reuse a context for the next run of the same hook version (its globals persist). */
  readonly reuseContexts: boolean;
  /**
   * Heap the idle isolates may hold together, in bytes, garbage included (an idle isolate
   * collects none); the least recently used go first.
   */
  readonly maxIdleHeapBytes: number;
}

// V8's code cache for the bootstrap, produced by the first isolate, makes later ones cheaper.
let bootstrapCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

/** One isolate of one tenant. */
export class IsolateHandle {
  readonly isolate: ivm.Isolate;
  readonly tenant: string;
  readonly memoryMb: number;
  readonly #options: PoolOptions;
  readonly #contexts = new Map<string, HookContext>();
  #bootstrap: ivm.Script | undefined;

  constructor(tenant: string, memoryMb: number, options: PoolOptions) {
    this.tenant = tenant;
    this.memoryMb = memoryMb;
    this.#options = options;
    this.isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  /** The loaded context of `key` when it holds `source`, else a fresh one. */
  async context(key: string, source: PreparedSource, session: Session): Promise<HookContext> {
    const existing = this.#contexts.get(key);
    if (existing) {
      this.#contexts.delete(key);
      if (existing.source === source && existing.usable && this.#options.reuseContexts) {
        this.#contexts.set(key, existing);
        return existing;
      }
      existing.release();
    }
    const hc = await HookContext.load(this.isolate, await this.#bootstrapScript(), source, session);
    if (this.#options.reuseContexts) {
      this.#contexts.set(key, hc);
      for (const [oldKey, old] of this.#contexts) {
        if (this.#contexts.size <= this.#options.maxContextsPerIsolate) break;
        this.#contexts.delete(oldKey);
        old.release();
      }
    }
    return hc;
  }

  /** Ends a run's use of `hc`: kept for reuse, or released when reuse is off. */
  done(hc: HookContext): void {
    hc.detach();
    if (!this.#options.reuseContexts) hc.release();
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
    this.#contexts.clear();
  }

  async #bootstrapScript(): Promise<ivm.Script> {
    if (!this.#bootstrap) {
      const script = await this.isolate.compileScript(ISOLATE_BOOTSTRAP, {
        filename: 'hookyard:bootstrap',
        ...(bootstrapCache ? { cachedData: bootstrapCache } : { produceCachedData: true }),
      });
      const produced = (script as ivm.Script & ivm.CachedDataResult).cachedData;
      if (!bootstrapCache && produced) bootstrapCache = produced;
      this.#bootstrap = script;
    }
    return this.#bootstrap;
  }
}

/** Idle isolates by tenant, least recently used first. */
export class IsolatePool {
  readonly #options: PoolOptions;
  readonly #idle: Array<{ readonly handle: IsolateHandle; readonly heapBytes: number }> = [];
  #idleHeapBytes = 0;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  /** An idle isolate of `tenant` with `memoryMb` of heap, or a new one. The caller owns it until release. */
  acquire(tenant: string, memoryMb: number): IsolateHandle {
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const { handle, heapBytes } = this.#idle[i];
      if (handle.tenant === tenant && handle.memoryMb === memoryMb) {
        this.#idle.splice(i, 1);
        this.#idleHeapBytes -= heapBytes;
        if (!handle.disposed) return handle;
      }
    }
    return new IsolateHandle(tenant, memoryMb, this.#options);
  }

  /**
   * Returns a healthy isolate that holds `heapBytes` to the pool; past the idle caps (count
   * and heap) the least recently used are disposed.
   */
  release(handle: IsolateHandle, heapBytes: number): void {
    if (handle.disposed) return;
    if (this.#closed || heapBytes > this.#options.maxIdleHeapBytes) return handle.dispose();
    this.#idle.push({ handle, heapBytes });
    this.#idleHeapBytes += heapBytes;
    while (this.#idle.length > this.#options.maxIdleIsolates || this.#idleHeapBytes > this.#options.maxIdleHeapBytes) {
      const oldest = this.#idle.shift()!;
      this.#idleHeapBytes -= oldest.heapBytes;
      oldest.handle.dispose();
    }
  }

  /** Disposes every idle isolate; isolates still running are disposed when released. */
  close(): void {
    this.#closed = true;
    for (const { handle } of this.#idle.splice(0)) handle.dispose();
    this.#idleHeapBytes = 0;
  }
}
