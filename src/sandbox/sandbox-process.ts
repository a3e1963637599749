/**
 * The supervisor's handle on one sandbox process: starts it, sends it runs, answers its
 * KV calls, holds every run to its deadline from outside, and when the process dies —
 * killed for a run that stopped answering, or crashed (a heap OOM inside isolated-vm
 * aborts the process) — ends every run that was in it with a result that says why.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { coerceError } from '../domain/errors.js';
import { Outbox } from './channel.js';
import { HeldSources } from './held-sources.js';
import type { KvStore } from './kv.js';
import type { LimitName } from './limits.js';
import { limitMessage, resolveLimits, type HookLimits } from './limits.js';
import { readValue } from './outcome.js';
import type { FromProcess, ProcessOptions, ToProcess } from './protocol.js';
import { hookKey, timeLeft, type LogBudget, type RunRequest, type RunResult, type RunStatus } from './types.js';

/** How the supervisor runs its processes. */
export interface ProcessSettings {
  /** The compiled process-main.js. */
  readonly entry: string;
  readonly options: ProcessOptions;
  /** The limits of each hook type (the defaults with the deployment's `options.limits`). */
  readonly limits: HookLimits;
  /** Time past a run's own limit before the process is taken to have stopped answering. */
  readonly graceMs: number;
  /** Scheduling priority of the process (0–19, higher is lower): hook work yields to the API. */
  readonly niceness: number;
  /** Called once when the process asks to be retired or has exited. */
  readonly onGone: (process: SandboxProcess) => void;
}

interface PendingRun {
  readonly request: RunRequest;
  /** The run's log budget, the caller's own object: what is left of it comes back with the result. */
  readonly logBudget: LogBudget;
  readonly resolve: (result: RunResult) => void;
  /** How long the run may take, limit and grace: the clock starts once the process is ready. */
  readonly deadlineMs: number;
  timer?: NodeJS.Timeout;
  readonly started: number;
}

type Ending =
  | { readonly why: 'deadline'; readonly runId: number }
  | { readonly why: 'startup' }
  | { readonly why: 'retired' }
  | { readonly why: 'closed' };

// Lines V8 prints when a heap runs out before it aborts the process.
const OUT_OF_MEMORY = /out of memory|CALL_AND_RETRY_LAST|Allocation failed|OOM error/i;
// What V8 writes on a fatal error ends up here; the last few KB say what happened.
const STDERR_TAIL = 8 * 1024;
// Only what the process needs: none of the server's secrets (HOOKYARD_MASTER_KEY, …).
const ENV_KEPT = ['PATH', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV'];

// Hook code a process holds, over all its hook versions (a hook's code is at most 512 KB).
const MAX_HELD_CHARS = 8 * 1024 * 1024;

// A process loads in well under a second; one that has not started after this never will.
const STARTUP_MS = 30_000;

let nextRunId = 1;

/** One sandbox process. */
export class SandboxProcess {
  readonly #settings: ProcessSettings;
  readonly #child: ChildProcess;
  readonly #runs = new Map<number, PendingRun>();
  readonly #outbox: Outbox<ToProcess>;
  /** Hook code this process holds: a new process holds none. */
  readonly #sources: HeldSources;
  readonly exited: Promise<void>;
  #stderr = '';
  #ending: Ending | undefined;
  #gone = false;
  #ready = false;
  readonly #startup: NodeJS.Timeout;

  constructor(settings: ProcessSettings) {
    this.#settings = settings;
    this.#sources = new HeldSources(settings.options.maxCachedSources ?? 500, MAX_HELD_CHARS);
    const env = Object.fromEntries(ENV_KEPT.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));
    this.#child = fork(settings.entry, [], {
      execArgv: ['--no-node-snapshot'],
      // JSON is what crosses anyway, and Node's JSON channel is the faster one for it
      // (a round trip of about 45 µs here, against 58 µs with structured clone).
      serialization: 'json',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    try {
      if (this.#child.pid !== undefined) os.setPriority(this.#child.pid, settings.niceness);
    } catch {
      // Not allowed here (a container without CAP_SYS_NICE may refuse): the process runs at normal priority.
    }
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    this.#outbox = new Outbox((batch) => {
      if (this.#child.connected) this.#child.send(batch);
    });
    this.#child.on('message', (batch: readonly FromProcess[]) => {
      for (const message of batch) this.#receive(message);
    });
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exited(code, signal);
        resolve();
      });
    });
    // A failed send (no callback is passed, to spare one per message) is reported here too.
    this.#child.on('error', () => this.#child.kill('SIGKILL'));
    this.#send({ t: 'init', options: settings.options });
    this.#startup = setTimeout(() => this.#kill({ why: 'startup' }), STARTUP_MS);
  }

  /** Runs in flight here. */
  get load(): number {
    return this.#runs.size;
  }

  /** False once the process was retired, is closing or has died: send it nothing more. */
  get accepting(): boolean {
    return this.#ending === undefined && !this.#gone;
  }

  /** Sends `request` to the process; resolves with its result, or with why it has none. */
  run(request: RunRequest): Promise<RunResult> {
    const id = nextRunId++;
    const { logBudget, kv: _kv, onBusy: _onBusy, code, ...rest } = request;
    const limits = resolveLimits(request.type, request.limits, this.#settings.limits);
    const budget: LogBudget = logBudget ?? { bytes: limits.logBytes, lines: limits.logLines, exhausted: false };
    return new Promise((resolve) => {
      const run: PendingRun = { request, logBudget: budget, resolve, deadlineMs: timeLeft(limits, request.spent) + this.#settings.graceMs, started: performance.now() };
      this.#runs.set(id, run);
      if (this.#ready) this.#startClock(id, run);
      // What the process is to drop to keep within the bounds (never this run's code) goes first.
      const held = this.#sources.hold(hookKey(request), code, (key) => this.#send({ t: 'forget', key }));
      // The spread last: on Node 20's V8 a literal that starts with a spread and then adds a
      // property gets a hidden class of its own on every run (bench/README.md, Inbound, "Peak
      // RSS"). An undefined `code` does not cross.
      this.#send({ t: 'run', id, request: { logBudget: { ...budget }, code: held ? undefined : code, ...rest } });
    });
  }

  /** Takes no more runs; the process ends once the runs in it are done. */
  retire(): void {
    if (this.#ending) return;
    this.#ending = { why: 'retired' };
    this.#goneOnce();
    if (this.#runs.size === 0) this.#child.kill('SIGKILL');
  }

  /** Ends the process now; runs still in it end as failed. */
  async close(): Promise<void> {
    if (!this.#gone) this.#kill({ why: 'closed' });
    await this.exited;
  }

  #send(message: ToProcess): void {
    this.#outbox.push(message);
  }

  #startClock(id: number, run: PendingRun): void {
    run.timer = setTimeout(() => this.#kill({ why: 'deadline', runId: id }), run.deadlineMs);
  }

  #receive(message: FromProcess): void {
    switch (message.t) {
      case 'ready':
        this.#ready = true;
        clearTimeout(this.#startup);
        for (const [id, run] of this.#runs) this.#startClock(id, run);
        return;
      case 'done': {
        const run = this.#runs.get(message.id);
        if (!run) return;
        // The pages of a pull execution share one log budget: hand back what is left.
        Object.assign(run.logBudget, message.logBudget);
        this.#finish(message.id, run, readValue(message.result));
        if (this.#ending?.why === 'retired' && this.#runs.size === 0) this.#child.kill('SIGKILL');
        return;
      }
      case 'kv':
        void this.#kv(message.id, message.call, message.op, message.args);
        return;
      case 'retire':
        // Worth an operator's notice: a hook left a thread running, or memory behind.
        if (this.accepting) console.warn(`[hookyard sandbox] a sandbox process is being replaced: ${message.reason}`);
        this.retire();
        return;
    }
  }

  async #kv(id: number, call: number, op: string, args: readonly unknown[]): Promise<void> {
    const kv: KvStore | undefined = this.#runs.get(id)?.request.kv;
    try {
      if (!kv) throw new Error('This run is over');
      const [a, b, c] = args;
      // The process is ours but runs hostile code: check the shape before the store sees it.
      if (typeof a !== 'string') throw new TypeError('A KV key must be a string');
      let value: unknown;
      if (op === 'get') value = await kv.get(a);
      else if (op === 'set') value = await kv.set(a, b as never, c as { ttlSeconds: number });
      else if (op === 'delete') value = await kv.delete(a);
      else if (op === 'list') value = await kv.list(a);
      else if (op === 'usage') value = await kv.usage(a);
      else throw new Error(`Unknown KV operation ${op}`);
      this.#send({ t: 'kv', call, ok: true, value });
    } catch (thrown) {
      this.#send({ t: 'kv', call, ok: false, message: coerceError(thrown).message });
    }
  }

  #finish(id: number, run: PendingRun, result: RunResult): void {
    clearTimeout(run.timer);
    this.#runs.delete(id);
    run.resolve(result);
  }

  #kill(ending: Ending): void {
    // A retired process may still be killed for a deadline, and that is what its runs are told.
    if (!this.#ending || this.#ending.why === 'retired') this.#ending = ending;
    this.#goneOnce();
    this.#child.kill('SIGKILL');
  }

  #goneOnce(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#settings.onGone(this);
  }

  #exited(code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.#startup);
    this.#goneOnce();
    const ending = this.#ending;
    const oom = OUT_OF_MEMORY.test(this.#stderr);
    // Counted before the loop below ends them one by one.
    const inIt = this.#runs.size;
    if (!ending && inIt > 0) {
      const tail = this.#stderr.trim().split('\n').slice(-3).join(' | ');
      console.error(`[hookyard sandbox] a sandbox process ended (${signal ?? `exit code ${code}`}) with ${inIt} run(s) in it${tail ? `: ${tail}` : ''}`);
    }
    for (const [id, run] of this.#runs) {
      const limits = resolveLimits(run.request.type, run.request.limits, this.#settings.limits);
      const failure = (status: RunStatus, message: string, limit?: LimitName): RunResult => ({
        status,
        logs: [],
        http: [],
        error: { message, stack: '', ...(limit && { limit }) },
        durationMs: Math.round(performance.now() - run.started),
      });
      let result: RunResult;
      if (ending?.why === 'deadline' && ending.runId === id) {
        result = failure('timed_out', limitMessage('timeMs', limits, 'the sandbox stopped answering and was restarted'), 'timeMs');
      } else if (ending?.why === 'deadline') {
        result = failure('failed', 'The sandbox process was restarted because another run in it stopped answering; this run was cut short');
      } else if (ending?.why === 'startup') {
        result = failure('failed', `The sandbox process did not start within ${STARTUP_MS / 1000} s; this run did not run`);
      } else if (ending?.why === 'closed' || ending?.why === 'retired') {
        result = failure('failed', 'The sandbox was shut down before the run ended');
      } else if (oom && inIt === 1) {
        result = failure('failed', limitMessage('memoryMb', limits, 'the sandbox ran out of memory and was restarted'), 'memoryMb');
      } else if (oom) {
        // Which of the runs used the memory cannot be told: none is named the culprit.
        result = failure('failed', `The sandbox process ran out of memory with ${inIt} runs in it and was restarted: this run or another one in it used more memory than the sandbox allows`);
      } else {
        result = failure('failed', `The sandbox process crashed (${signal ?? `exit code ${code}`}) and was restarted; this run was cut short`);
      }
      this.#finish(id, run, result);
    }
  }
}
