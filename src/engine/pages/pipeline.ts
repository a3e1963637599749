/**
 * The pipeline of a PULL execution, page after page: `run` → `preSavePage` → `preMap` →
 * the declarative `mapping` → `postMap` → save → `postSubmit`, and `postAggregate` once at
 * the end. One implementation for the server (pull/pull.ts saves into the store; an inbound
 * call's records are its one page, inbound/inbound-call.ts) and for `hookyard run` (which
 * shows what would be saved): the caller says how to call the hook (a sandbox run or a
 * remote call) and how to save a page.
 *
 * The next page's `run` is called while a page is saved: the hook runs in a sandbox process
 * (or remotely), so its fetch overlaps the server's writes. Only that overlaps: at most one
 * call of an execution is in the sandbox at a time (the next page's `run` has ended before
 * this page's `postSubmit` starts), pages are saved in order, and a page's flow steps run
 * after its `run`. So a hook sees `run` of page N+1 before `postSubmit` of page N, and when
 * saving page N or its `postSubmit` fails, page N+1's `run` has been called once and its
 * result is discarded.
 */
import { coerceError } from '../../domain/errors.js';
import type { Counts, DryRunCounts } from '../../domain/executions.js';
import type { FlowStep } from '../../domain/hooks.js';
import { applyMapping, readPageReturn } from '../../domain/pull-records.js';
import type { RecordResult } from '../../domain/pull-records.js';
import { MAX_PAGES, type EntryPoint, type JsonValue, type RunError, type RunResult, type RunStatus, type Spent } from '../../sandbox/index.js';
import { paginate, type Pagination } from './paginate.js';

/** What the pipeline needs of its caller. */
export interface PipelineHost {
  /**
   * Calls one entry point of the hook: `run` or a flow step (with its `input`), holding it
   * to what `spent` leaves of the page's limits (give it to the sandbox as the request's).
   */
  call(entry: EntryPoint, page: number, meta: JsonValue | undefined, input?: JsonValue, spent?: Spent): Promise<RunResult>;
  /** Whether the hook may implement `step`; a step it does not implement passes its input through. */
  implements(step: FlowStep): boolean;
  readonly mapping?: Readonly<Record<string, string>>;
  /** Saves one page of records (after steps and mapping); answers each record's outcome. */
  save(records: JsonValue[], page: number): Promise<readonly RecordResult[]>;
  /** The counts so far (a dry run's would-counts), for `postAggregate`. */
  counts(): Counts | DryRunCounts;
  /** A line of the platform's own in the execution's log. */
  line(level: 'info' | 'warn' | 'error', message: string): void;
}

/** One page's outcome, as pagination sees it. */
export interface PageOutcome {
  readonly status: RunStatus;
  readonly value?: JsonValue;
  readonly error?: RunError;
}

/** How the pipeline went. */
export interface PipelineOutcome {
  readonly pagination: Pagination<PageOutcome>;
  /** `preSavePage` returned `{ abort: true }`. */
  readonly aborted: boolean;
}

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** `ctx.meta` of the first page. */
  readonly meta?: JsonValue;
  /** Default {@link MAX_PAGES} (100). */
  readonly maxPages?: number;
}

/** A call started ahead: settled, never rejected, so no rejection goes unhandled while it waits. */
type Settled = { readonly result: RunResult } | { readonly thrown: unknown };

/** Runs every page, then `postAggregate`. Never rejects for anything the hook does. */
export async function runPipeline(host: PipelineHost, options: PipelineOptions = {}): Promise<PipelineOutcome> {
  const maxPages = options.maxPages ?? MAX_PAGES;
  const absent = new Set<FlowStep>();
  /**
   * A page's run and its flow steps share the page's time and requests (30 s and 50 by
   * default), so each call gets what the earlier ones left; postAggregate, once per
   * execution, has a budget of its own.
   */
  const spentOn = new Map<number, Spent>();
  const call = async (entry: EntryPoint, page: number, meta: JsonValue | undefined, input?: JsonValue): Promise<RunResult> => {
    if (entry === 'postAggregate') return host.call(entry, page, meta, input);
    const spent = spentOn.get(page);
    const result = await host.call(entry, page, meta, input, spent);
    spentOn.set(page, { timeMs: (spent?.timeMs ?? 0) + result.durationMs, httpRequests: (spent?.httpRequests ?? 0) + result.http.length });
    return result;
  };
  /** A flow step, or the input unchanged when the hook does not implement it. */
  const step = async (entry: FlowStep, page: number, meta: JsonValue | undefined, input: JsonValue): Promise<PageOutcome> => {
    if (absent.has(entry) || !host.implements(entry)) return { status: 'completed', value: input };
    const result = await call(entry, page, meta, input);
    // The sandbox's own answer (no stack) when a script lacks the function: remember it.
    if (result.status === 'failed' && result.error?.message === `The hook does not define ${entry}()` && !result.error.stack) {
      absent.add(entry);
      return { status: 'completed', value: input };
    }
    return result;
  };

  let aborted = false;
  /** The next page's `run`, called while this page is saved. */
  let ahead: { readonly page: number; readonly settled: Promise<Settled> } | undefined;
  /** Drops the run started ahead once this page failed (it has ended: nothing is left running). */
  const discardAhead = async (page: number) => {
    if (!ahead) return;
    const { settled, page: next } = ahead;
    ahead = undefined;
    await settled;
    host.line('info', `page ${next}'s run, called while page ${page} was saved, was discarded`);
  };
  const runPage = async (page: number, meta: JsonValue | undefined): Promise<PageOutcome> => {
    let result: RunResult;
    if (ahead?.page === page) {
      const settled = await ahead.settled;
      ahead = undefined;
      if ('thrown' in settled) throw settled.thrown;
      result = settled.result;
    } else {
      result = await call('run', page, meta);
    }
    if (result.status !== 'completed') return result;
    const returned = readPageReturn(result.value);
    if (typeof returned === 'string') return failure(returned);
    let records = returned.records as JsonValue[];

    const pre = await step('preSavePage', page, meta, { records, page });
    if (pre.status !== 'completed') return pre;
    // An abort needs no records: nothing of the page is saved.
    if ((pre.value as { abort?: unknown } | undefined)?.abort === true) {
      aborted = true;
      host.line('warn', `preSavePage aborted the sync at page ${page}; this page was not saved`);
      return { status: 'completed', value: { more: false } };
    }
    const preRecords = stepRecords(pre.value, records);
    if (typeof preRecords === 'string') return failure(`preSavePage(): ${preRecords}`);
    records = preRecords;
    for (const entry of ['preMap', 'mapping', 'postMap'] as const) {
      if (entry === 'mapping') {
        const mapping = host.mapping;
        if (mapping) records = records.map((r) => withMapping(r, mapping));
        continue;
      }
      const out = await step(entry, page, meta, { records });
      if (out.status !== 'completed') return out;
      const next = stepRecords(out.value, records);
      if (typeof next === 'string') return failure(`${entry}(): ${next}`);
      records = next;
    }

    // paginate asks for the next page with exactly this page's meta, unless this one was the last.
    if (returned.more && page < maxPages) {
      ahead = {
        page: page + 1,
        settled: call('run', page + 1, returned.meta as JsonValue | undefined).then(
          (next) => ({ result: next }),
          (thrown: unknown) => ({ thrown }),
        ),
      };
    }
    let results: readonly RecordResult[];
    try {
      // The run ahead leaves for the sandbox before the save begins. Its request goes on the
      // IPC channel at the end of this turn of the event loop (sandbox/channel.ts), and a
      // save over SQLite is synchronous work behind promises: started now, it would hold
      // the request back until it ended (5 – 20 ms a page), and the two would not overlap.
      if (ahead) await new Promise((resolve) => setImmediate(resolve));
      results = await host.save(records, page);
    } catch (thrown) {
      await discardAhead(page);
      return failure(`saving the page failed: ${coerceError(thrown).message}`);
    }
    // One call of the execution in the sandbox at a time: postSubmit waits for the run ahead.
    await ahead?.settled;
    const submitted = await step('postSubmit', page, meta, { results: results as unknown as JsonValue });
    if (submitted.status !== 'completed') {
      await discardAhead(page);
      return submitted;
    }
    return { status: 'completed', value: { more: returned.more, ...(returned.meta !== undefined && { meta: returned.meta as JsonValue }) } };
  };

  const pagination = await paginate(({ page, meta }) => runPage(page, meta), { meta: options.meta, maxPages });
  const summary = { counts: { ...host.counts() }, status: pagination.status, pages: pagination.pages.length, aborted };
  const aggregate = await step('postAggregate', pagination.pages.length, undefined, { summary } as unknown as JsonValue);
  if (aggregate.status !== 'completed') host.line('error', `postAggregate(): ${aggregate.error?.message ?? aggregate.status}`);
  return { pagination, aborted };
}

/** Record lines (failed records, ignored fields) one execution logs before it only counts them. */
const MAX_RECORD_LINES = 200;

/**
 * The outcomes of an execution's saved pages: added to its counts, with a line for each
 * failed record and each warning until the cap, then one note, then counts only. The
 * server's PULL and inbound runs and `hookyard run` all tally pages with it.
 */
export class PageTally {
  readonly counts: Counts;
  readonly #line: (level: 'warn', message: string) => void;
  #lines = 0;

  constructor(counts: Counts, line: (level: 'warn', message: string) => void) {
    this.counts = counts;
    this.#line = line;
  }

  /** Adds a page of `processed` records, their `results` and the `warnings` about them. */
  add(processed: number, results: readonly RecordResult[], warnings: readonly string[]): void {
    this.counts.processed += processed;
    for (const result of results) {
      this.counts[result.outcome]++;
      if (result.outcome === 'failed') this.#record(`record ${result.externalId} failed: ${result.error}`);
    }
    for (const warning of warnings) this.#record(warning);
  }

  #record(message: string): void {
    this.#lines++;
    if (this.#lines <= MAX_RECORD_LINES) this.#line('warn', message);
    else if (this.#lines === MAX_RECORD_LINES + 1) this.#line('warn', `more record messages were dropped (the log keeps the first ${MAX_RECORD_LINES})`);
  }
}

function failure(message: string): PageOutcome {
  return { status: 'failed', error: { message, stack: '' } };
}

function stepRecords(value: JsonValue | undefined, fallback: JsonValue[]): JsonValue[] | string {
  if (value === undefined || value === null) return fallback;
  const records = (value as { records?: unknown }).records;
  return Array.isArray(records) ? (records as JsonValue[]) : 'a flow step must return { records: [...] }';
}

function withMapping(record: JsonValue, mapping: Readonly<Record<string, string>>): JsonValue {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  const data = record.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return record;
  return { ...record, data: applyMapping(data, mapping) as JsonValue };
}
