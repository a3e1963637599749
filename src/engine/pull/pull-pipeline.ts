/**
 * The pipeline of a PULL execution, page after page: `run` → `preSavePage` → `preMap` →
 * the declarative `mapping` → `postMap` → save → `postSubmit`, and `postAggregate` once at
 * the end. One implementation for the server (pull.ts saves into the store) and for
 * `hookyard run` (which shows what would be saved): the caller says how to call the hook
 * (a sandbox run or a remote call) and how to save a page.
 */
import { coerceError } from '../../domain/errors.js';
import type { Counts, DryRunCounts } from '../../domain/executions.js';
import type { FlowStep } from '../../domain/hooks.js';
import { applyMapping, readPageReturn } from '../../domain/pull-records.js';
import type { RecordResult } from '../../domain/pull-records.js';
import type { EntryPoint, JsonValue, RunError, RunResult, RunStatus } from '../../sandbox/index.js';
import { paginate, type Pagination } from './paginate.js';

/** What the pipeline needs of its caller. */
export interface PipelineHost {
  /** Calls one entry point of the hook: `run` or a flow step (with its `input`). */
  call(entry: EntryPoint, page: number, meta: JsonValue | undefined, input?: JsonValue): Promise<RunResult>;
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

/** Runs every page, then `postAggregate`. Never rejects for anything the hook does. */
export async function runPipeline(host: PipelineHost, options: { readonly meta?: JsonValue } = {}): Promise<PipelineOutcome> {
  const absent = new Set<FlowStep>();
  /** A flow step, or the input unchanged when the hook does not implement it. */
  const step = async (entry: FlowStep, page: number, meta: JsonValue | undefined, input: JsonValue): Promise<PageOutcome> => {
    if (absent.has(entry) || !host.implements(entry)) return { status: 'completed', value: input };
    const result = await host.call(entry, page, meta, input);
    // The sandbox's own answer (no stack) when a script lacks the function: remember it.
    if (result.status === 'failed' && result.error?.message === `The hook does not define ${entry}()` && !result.error.stack) {
      absent.add(entry);
      return { status: 'completed', value: input };
    }
    return result;
  };

  let aborted = false;
  const runPage = async (page: number, meta: JsonValue | undefined): Promise<PageOutcome> => {
    const result = await host.call('run', page, meta);
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

    let results: readonly RecordResult[];
    try {
      results = await host.save(records, page);
    } catch (thrown) {
      return failure(`saving the page failed: ${coerceError(thrown).message}`);
    }
    const submitted = await step('postSubmit', page, meta, { results: results as unknown as JsonValue });
    if (submitted.status !== 'completed') return submitted;
    return { status: 'completed', value: { more: returned.more, ...(returned.meta !== undefined && { meta: returned.meta as JsonValue }) } };
  };

  const pagination = await paginate(({ page, meta }) => runPage(page, meta), { meta: options.meta });
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
