/**
 * docs/data-model.md lists every field of every entity type, and marks the required
 * ones, exactly as the entity type table of the code defines them.
 */
import { describe, expect, test } from 'vitest';
import { CUSTOM_ATTRIBUTE_TYPES } from '../../src/domain/custom-attributes.js';
import { ENTITY_TYPES, entityType } from '../../src/domain/entity-types.js';
import { readDoc } from './markdown.js';

const page = readDoc('docs/data-model.md');

/** The rows of the first table under the heading `## <name>`: [first cell, …other cells]. */
function tableUnder(heading: string): string[][] {
  const section = page.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`docs/data-model.md has no "## ${heading}" section`);
  const rows = section.split('\n').filter((l) => l.startsWith('|')).slice(2);
  return rows.map((row) => row.slice(1, -1).split(' | ').map((c) => c.trim()));
}

const fieldName = (cell: string) => /^`(\w+)`$/.exec(cell)?.[1] ?? cell;

describe('docs/data-model.md', () => {
  test.each(ENTITY_TYPES)('lists every field of %s, in order, with the required ones marked', (type) => {
    const rows = tableUnder(type);
    const definition = entityType(type);
    expect(rows.map((r) => fieldName(r[0]!))).toEqual([...definition.fields]);
    const markedRequired = rows.filter((r) => r[2] === 'required').map((r) => fieldName(r[0]!));
    expect(markedRequired).toEqual([...definition.required]);
    for (const [field, value] of Object.entries(definition.defaults)) {
      const row = rows.find((r) => fieldName(r[0]!) === field)!;
      expect(row[2], `default of ${type}.${field}`).toBe(`default ${typeof value === 'string' ? `\`${value}\`` : value}`);
    }
  });

  test('names every custom attribute type', () => {
    const typeRow = tableUnder('Custom attributes').find((r) => r[0] === '`type`')!;
    expect(typeRow[1]!.match(/`(\w+)`/g)!.map((t) => t.slice(1, -1))).toEqual([...CUSTOM_ATTRIBUTE_TYPES]);
  });
});
