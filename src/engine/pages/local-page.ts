/**
 * A PULL page checked as the server would check it, without a store: what `hookyard run`
 * shows as "the records as they would be saved". Each record is read and validated for
 * its entity type like a new one (there is nothing locally to match it against), so every
 * valid record counts as `created`; custom attributes are kept as returned, since their
 * definitions live on the server.
 */
import { validateEntityData } from '../../domain/entity-validation.js';
import type { EntityType } from '../../domain/entity-types.js';
import { lastOfEach, readRecord, type PullRecord, type RecordResult } from '../../domain/pull-records.js';
import type { JsonValue } from '../../sandbox/index.js';

/** What checking a page found. */
export interface LocalPage {
  readonly results: RecordResult[];
  /** The valid records, as they would be saved. */
  readonly records: Array<{ readonly externalId: string; readonly data: JsonValue }>;
  readonly warnings: string[];
}

/** Checks `raw` records for `entityType` (none: read, not validated). */
export function checkPageLocally(raw: readonly unknown[], entityType: EntityType | undefined): LocalPage {
  const results: RecordResult[] = [];
  const warnings: string[] = [];
  const readable: PullRecord[] = [];
  for (const item of raw) {
    const record = readRecord(item);
    if ('rejected' in record) results.push({ externalId: record.externalId, outcome: 'failed', error: record.error });
    else readable.push(record);
  }
  const { records: unique, duplicates } = lastOfEach(readable);
  for (const externalId of duplicates) warnings.push(`record ${externalId}: returned more than once in the page; the last one counts`);
  const records: LocalPage['records'] = [];
  for (const record of unique) {
    if (!entityType) {
      records.push({ externalId: record.externalId, data: record.data as JsonValue });
      results.push({ externalId: record.externalId, outcome: 'created' });
      continue;
    }
    const { customAttributes, ...fields } = record.data as Record<string, unknown>;
    const checked = validateEntityData(entityType, fields, 'create', []);
    if (checked.errors.length > 0) {
      results.push({ externalId: record.externalId, outcome: 'failed', error: checked.errors.map((e) => e.message).join('; ') });
      continue;
    }
    for (const warning of checked.warnings) warnings.push(`record ${record.externalId}: ${warning.message}`);
    const data = { ...checked.data, ...(customAttributes !== undefined && { customAttributes }) };
    records.push({ externalId: record.externalId, data: data as JsonValue });
    results.push({ externalId: record.externalId, outcome: 'created' });
  }
  return { results, records, warnings };
}
