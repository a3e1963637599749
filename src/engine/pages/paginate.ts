/**
 * Pagination of PULL hooks (docs/hooks.md, "PULL hooks"): call the page runner until a page returns no
 * `more`, passing each page's `meta` to the next as `ctx.meta`. Pure and store-free:
 * `hookyard run` and the database pipeline both drive it with their own page runner.
 */
import { MAX_PAGES } from '../../sandbox/limits.js';
import type { JsonValue, LogEntry, RunStatus } from '../../sandbox/types.js';

/** What the page runner is asked to run. */
export interface PageRequest {
  /** 1-based page number (`ctx.execution.page`). */
  readonly page: number;
  /** `ctx.meta`: `undefined` on the first page, then the previous page's `meta`. */
  readonly meta: JsonValue | undefined;
}

/** The least a page runner reports: a sandbox `RunResult` fits. */
export interface PageResult {
  readonly status: RunStatus;
  readonly value?: JsonValue;
}

/** How pagination went. */
export interface Pagination<R extends PageResult> {
  /** Every page that ran, in order, the failed one included. */
  readonly pages: R[];
  /** `completed`, or the status of the page that failed. */
  readonly status: RunStatus;
  /** The page that failed, when one did. */
  readonly failedPage?: number;
  /** Warnings to add to the execution's log (the page cap). */
  readonly warnings: LogEntry[];
}

/** Options of {@link paginate}. */
export interface PaginateOptions {
  /** `ctx.meta` of the first page. */
  readonly meta?: JsonValue;
  /** Default {@link MAX_PAGES} (100). */
  readonly maxPages?: number;
}

/**
 * Runs pages one after the other; each page is a run of its own, so per-page limits
 * start afresh. Stops at the first page that does not complete.
 * @example
 * const { pages, status } = await paginate(({ page, meta }) => sandbox.run({ ...request, ctx: { meta } }));
 */
export async function paginate<R extends PageResult>(
  runPage: (request: PageRequest) => Promise<R>,
  options: PaginateOptions = {},
): Promise<Pagination<R>> {
  const maxPages = options.maxPages ?? MAX_PAGES;
  const pages: R[] = [];
  let meta = options.meta;
  for (let page = 1; ; page++) {
    const result = await runPage({ page, meta });
    pages.push(result);
    if (result.status !== 'completed') return { pages, status: result.status, failedPage: page, warnings: [] };
    const value = result.value;
    const returned = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
    if (!returned.more) return { pages, status: 'completed', warnings: [] };
    if (page >= maxPages) {
      const warning: LogEntry = {
        ts: new Date().toISOString(),
        level: 'warn',
        message: `Pagination stopped after ${maxPages} pages; the hook still returned more: true`,
      };
      return { pages, status: 'completed', warnings: [warning] };
    }
    meta = returned.meta;
  }
}
