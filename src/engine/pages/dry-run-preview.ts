/**
 * What a dry run would have done with the records it saved: its would-counts, of every
 * record, and the preview (would-create, would-update with its changes, would-skip,
 * invalid) of the first ones. PULL and inbound dry runs gather it the same way.
 */
import { DRY_RUN_COUNT, emptyDryRunCounts, type DryRunCounts, type PreviewItem } from '../../domain/executions.js';

/** Preview items one dry run keeps. */
const MAX_PREVIEW = 10_000;

/** A dry run's counts and preview, page after page. */
export class DryRunPreview {
  readonly counts: DryRunCounts = emptyDryRunCounts();
  readonly items: PreviewItem[] = [];
  readonly #line: (level: 'warn', message: string) => void;

  constructor(line: (level: 'warn', message: string) => void) {
    this.#line = line;
  }

  /** Adds a page of `processed` records and the preview {@link savePage} answered for it. */
  add(processed: number, preview: readonly PreviewItem[]): void {
    this.counts.processed += processed;
    for (const item of preview) this.counts[DRY_RUN_COUNT[item.outcome]]++;
    const room = MAX_PREVIEW - this.items.length;
    if (preview.length > room && room >= 0) this.#line('warn', `the preview keeps the first ${MAX_PREVIEW} records`);
    this.items.push(...preview.slice(0, Math.max(0, room)));
  }
}
