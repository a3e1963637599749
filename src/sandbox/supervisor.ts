/**
 * The platform's sandbox: hook code runs in a small pool of supervised sandbox
 * processes, never in the server's own, since isolated-vm cannot keep every hook failure
 * inside an isolate (a heap OOM aborts the process; a thread can spin past every
 * timeout). An integration's runs always go to the same process, where its warm isolates
 * are; a process that dies is replaced at once, and one that asks to retire (a stuck
 * thread, grown memory) takes no more runs and ends when its runs are done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admission } from './admission.js';
import { deploymentLimits, type HookLimits, type HookType, type Limits } from './limits.js';
import type { IsolateSandboxOptions } from './isolate-sandbox.js';
import type { ProcessEgressOptions } from './protocol.js';
import { SandboxProcess, type ProcessSettings } from './sandbox-process.js';
import { entryOf, type RunRequest, type RunResult, type Sandbox } from './types.js';

/** Settings of the platform's {@link Sandbox}; every field has a production default. */
export interface SandboxOptions extends Omit<IsolateSandboxOptions, 'egress' | 'onStuckIsolate'> {
  /** Egress policy settings (development settings included), applied in every process. */
  readonly egress?: ProcessEgressOptions;
  /** Sandbox processes. Default 2. */
  readonly processes?: number;
  /** Time past a run's own limit before its process is taken to have stopped answering. Default 1,000 ms. */
  readonly graceMs?: number;
  /** Scheduling priority of the processes (0–19; higher yields more to the API). Default 10. */
  readonly niceness?: number;
  /** A process is retired once its resident memory passes this many MB. Default 2,048. */
  readonly maxRssMb?: number;
  /** Runs in the sandbox at once, over all organisations. Default 64. */
  readonly maxRuns?: number;
  /** Runs of one organisation in the sandbox at once. Default 32. */
  readonly maxRunsPerOrg?: number;
}

/** Creates the platform's sandbox; processes start with the first run. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return new Supervisor(options);
}

/** The compiled entry of a sandbox process. */
function processEntry(): string {
  const here = fileURLToPath(new URL('./process-main.js', import.meta.url));
  if (fs.existsSync(here)) return here;
  // Tests load the TypeScript sources; a sandbox process always runs the build (npm test builds first).
  const sep = path.sep;
  const built = here.replace(`${sep}src${sep}sandbox${sep}`, `${sep}dist${sep}sandbox${sep}`);
  if (fs.existsSync(built)) return built;
  throw new Error(`The sandbox process entry ${here} is missing: run npm run build`);
}

/** FNV-1a: a stable spread of integrations over processes. */
function slotOf(tenant: string, slots: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tenant.length; i++) h = Math.imul(h ^ tenant.charCodeAt(i), 0x01000193);
  return (h >>> 0) % slots;
}

class Supervisor implements Sandbox {
  readonly #settings: Omit<ProcessSettings, 'onGone'>;
  readonly #slots: (SandboxProcess | undefined)[];
  /** Every process not yet exited, including retired ones still finishing runs. */
  readonly #living = new Set<SandboxProcess>();
  readonly #admission: Admission;
  readonly #limits: HookLimits;
  #closed = false;

  constructor(options: SandboxOptions) {
    const { processes = 2, graceMs = 1_000, niceness = 10, maxRssMb = 2_048, maxRuns = 64, maxRunsPerOrg = 32, ...engine } = options;
    this.#admission = new Admission({ total: maxRuns, perOrg: maxRunsPerOrg });
    if (!(Number.isInteger(processes) && processes >= 1)) throw new RangeError('processes must be a positive integer');
    this.#slots = new Array(processes).fill(undefined);
    this.#limits = deploymentLimits(engine.limits);
    this.#settings = { entry: processEntry(), graceMs, niceness, limits: this.#limits, options: { ...engine, maxRssBytes: maxRssMb * 1024 * 1024 } };
  }

  limits(type: HookType): Limits {
    return this.#limits[type];
  }

  async run(request: RunRequest): Promise<RunResult> {
    entryOf(request);
    await this.#admission.enter(request.orgId, request.onBusy ?? 'wait');
    try {
      if (this.#closed) return { status: 'failed', logs: [], http: [], error: { message: 'The sandbox is shut down', stack: '' }, durationMs: 0 };
      // By integration, as isolates are: even one organisation's work spreads over the processes.
      return await this.#process(slotOf(`${request.orgId}/${request.integrationId ?? ''}`, this.#slots.length)).run(request);
    } finally {
      this.#admission.leave(request.orgId);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#living].map((p) => p.close()));
  }

  #process(slot: number): SandboxProcess {
    const current = this.#slots[slot];
    if (current?.accepting) return current;
    const started = this.#start(slot);
    this.#slots[slot] = started;
    return started;
  }

  #start(slot: number): SandboxProcess {
    const started: SandboxProcess = new SandboxProcess({
      ...this.#settings,
      onGone: (gone) => {
        // A dead or retired process is replaced at once, so the next run finds a warm one.
        if (!this.#closed && this.#slots[slot] === gone) this.#slots[slot] = this.#start(slot);
      },
    });
    this.#living.add(started);
    void started.exited.then(() => this.#living.delete(started));
    return started;
  }
}
