import { describe, expect, test } from 'vitest';
import { emptyCounts } from '../../domain/executions.js';
import type { FlowStep } from '../../domain/hooks.js';
import type { RecordResult } from '../../domain/pull-records.js';
import type { EntryPoint, JsonValue, RunResult } from '../../sandbox/index.js';
import { runPipeline, type PipelineHost } from './pipeline.js';

/** A page of one record, `more` until `last`. */
const page = (n: number, last: number): JsonValue => ({
  records: [{ externalId: `E-${n}`, data: { n } }],
  more: n < last,
  meta: { next: n + 1 },
});
const completed = (value: JsonValue): RunResult => ({ status: 'completed', value, logs: [], http: [], durationMs: 0 });

interface FakeOptions {
  readonly last?: number;
  readonly steps?: readonly FlowStep[];
  /** What a call answers instead of the default (a page for `run`, its input for a step). */
  readonly answer?: (entry: EntryPoint, page: number) => RunResult | 'throw' | undefined;
  readonly saveFails?: number;
}

/**
 * A host whose calls and saves take a few turns of the event loop, recording what
 * happens in order, and how many calls were in flight at once.
 */
function fakeHost({ last = 4, steps = [], answer, saveFails }: FakeOptions = {}) {
  const events: string[] = [];
  const saved: number[] = [];
  const lines: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const turns = (n: number) => new Promise<void>((resolve) => setTimeout(resolve, n));
  const host: PipelineHost = {
    async call(entry, n, meta, input) {
      events.push(`${entry} ${n} start`);
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await turns(2);
      inFlight--;
      events.push(`${entry} ${n} end`);
      const given = answer?.(entry, n);
      if (given === 'throw') throw new Error(`${entry} ${n} threw`);
      if (given) return given;
      if (entry === 'run') {
        expect(meta).toEqual(n === 1 ? undefined : { next: n });
        return completed(page(n, last));
      }
      return completed(entry === 'postSubmit' || entry === 'postAggregate' ? null : (input as JsonValue));
    },
    implements: (step) => steps.includes(step),
    async save(records, n) {
      events.push(`save ${n} start`);
      await turns(5);
      if (saveFails === n) throw new Error('disk full');
      saved.push(n);
      events.push(`save ${n} end`);
      return records.map((r) => ({ externalId: (r as { externalId: string }).externalId, outcome: 'created' }) as RecordResult);
    },
    counts: () => emptyCounts(),
    line: (_level, message) => lines.push(message),
  };
  return { host, events, saved, lines, mostInFlight: () => mostInFlight };
}

describe('runPipeline', () => {
  test("hands the next page's run over before the page's save begins", async () => {
    // A sandbox call sends its request at the end of the event loop's turn (a nextTick); a
    // save that starts at once and keeps the thread busy would hold it back.
    const fake = fakeHost({ last: 3 });
    const sent: number[] = [];
    const seenAtSave: number[][] = [];
    const { call, save } = fake.host;
    const host: PipelineHost = {
      ...fake.host,
      call(entry, n, ...rest) {
        if (entry === 'run') process.nextTick(() => sent.push(n));
        return call(entry, n, ...rest);
      },
      save(records, n) {
        seenAtSave.push([...sent]);
        return save(records, n);
      },
    };
    await runPipeline(host);
    expect(seenAtSave).toEqual([[1, 2], [1, 2, 3], [1, 2, 3]]);
  });

  test("saves pages in order while the next page's run is called during the save, one call at a time", async () => {
    const fake = fakeHost({ last: 4 });
    const { pagination } = await runPipeline(fake.host);
    expect(pagination).toMatchObject({ status: 'completed' });
    expect(pagination.pages).toHaveLength(4);
    expect(fake.saved).toEqual([1, 2, 3, 4]);
    // Page 2's run starts before page 1 is saved: the two overlap.
    expect(fake.events.indexOf('run 2 start')).toBeLessThan(fake.events.indexOf('save 1 end'));
    expect(fake.events.indexOf('save 1 start')).toBeLessThan(fake.events.indexOf('run 2 end'));
    // No run is called past the last page.
    expect(fake.events.filter((e) => e.startsWith('run') && e.endsWith('start'))).toEqual(['run 1 start', 'run 2 start', 'run 3 start', 'run 4 start']);
    expect(fake.mostInFlight()).toBe(1);
  });

  test("runs a page's flow steps in order after its run, and the next run before its postSubmit, never two calls at once", async () => {
    const fake = fakeHost({ last: 2, steps: ['preSavePage', 'preMap', 'postMap', 'postSubmit', 'postAggregate'] });
    await runPipeline(fake.host);
    const starts = fake.events.filter((e) => e.endsWith(' start')).map((e) => e.replace(/ start$/, ''));
    expect(starts).toEqual([
      'run 1', 'preSavePage 1', 'preMap 1', 'postMap 1', 'run 2', 'save 1', 'postSubmit 1',
      'preSavePage 2', 'preMap 2', 'postMap 2', 'save 2', 'postSubmit 2', 'postAggregate 2',
    ]);
    expect(fake.mostInFlight()).toBe(1);
  });

  test('a failing page 3 keeps pages 1 and 2 and names page 3', async () => {
    const fake = fakeHost({ last: 5, answer: (entry, n) => (entry === 'run' && n === 3 ? { status: 'failed', error: { message: 'boom', stack: '' }, logs: [], http: [], durationMs: 0 } : undefined) });
    const { pagination } = await runPipeline(fake.host);
    expect(pagination).toMatchObject({ status: 'failed', failedPage: 3 });
    expect(pagination.pages).toHaveLength(3);
    expect(pagination.pages[2]!.error?.message).toBe('boom');
    expect(fake.saved).toEqual([1, 2]);
    expect(fake.events).not.toContain('run 4 start');
  });

  test("a save failure on page 2 stops the sync: page 3's run was called once, is discarded, and nothing of it is saved", async () => {
    const fake = fakeHost({ last: 5, saveFails: 2 });
    const { pagination } = await runPipeline(fake.host);
    expect(pagination).toMatchObject({ status: 'failed', failedPage: 2 });
    expect(pagination.pages).toHaveLength(2);
    expect(pagination.pages[1]!.error?.message).toBe('saving the page failed: disk full');
    expect(fake.saved).toEqual([1]);
    expect(fake.events.filter((e) => e === 'run 3 start')).toHaveLength(1);
    expect(fake.events).not.toContain('save 3 start');
    expect(fake.events).not.toContain('run 4 start');
    // The discarded run had ended before the pipeline returned.
    expect(fake.events).toContain('run 3 end');
    expect(fake.lines).toContain("page 3's run, called while page 2 was saved, was discarded");
  });

  test('a failing postSubmit on page 2 stops the sync before page 3 is saved', async () => {
    const fake = fakeHost({
      last: 5,
      steps: ['postSubmit'],
      answer: (entry, n) => (entry === 'postSubmit' && n === 2 ? { status: 'failed', error: { message: 'no', stack: 'at postSubmit' }, logs: [], http: [], durationMs: 0 } : undefined),
    });
    const { pagination } = await runPipeline(fake.host);
    expect(pagination).toMatchObject({ status: 'failed', failedPage: 2 });
    expect(fake.saved).toEqual([1, 2]);
    expect(fake.events).not.toContain('save 3 start');
    expect(fake.lines).toContain("page 3's run, called while page 2 was saved, was discarded");
  });

  test('a run that throws ahead throws when its page comes, and not at all when that page is discarded', async () => {
    const thrower = fakeHost({ last: 5, answer: (entry, n) => (entry === 'run' && n === 2 ? 'throw' : undefined) });
    await expect(runPipeline(thrower.host)).rejects.toThrow('run 2 threw');
    expect(thrower.saved).toEqual([1]);

    const discarded = fakeHost({ last: 5, saveFails: 1, answer: (entry, n) => (entry === 'run' && n === 2 ? 'throw' : undefined) });
    const { pagination } = await runPipeline(discarded.host);
    expect(pagination).toMatchObject({ status: 'failed', failedPage: 1 });
  });

  test('calls no run past the page cap, ahead or not', async () => {
    const fake = fakeHost({ last: 10 });
    const { pagination } = await runPipeline(fake.host, { maxPages: 3 });
    expect(pagination.pages).toHaveLength(3);
    expect(pagination.warnings).toHaveLength(1);
    expect(fake.events).not.toContain('run 4 start');
  });

  test('calls no run ahead of a page whose preSavePage aborts the sync', async () => {
    const fake = fakeHost({ last: 5, steps: ['preSavePage'], answer: (entry, n) => (entry === 'preSavePage' && n === 2 ? completed({ abort: true }) : undefined) });
    const { pagination, aborted } = await runPipeline(fake.host);
    expect(aborted).toBe(true);
    expect(pagination.pages).toHaveLength(2);
    expect(fake.saved).toEqual([1]);
    expect(fake.events).not.toContain('run 3 start');
  });
});
