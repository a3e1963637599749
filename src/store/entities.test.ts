import { describe, expect, test } from 'vitest';
import { ENTITY_TYPES, entityType } from '../domain/entity-types.js';
import { entityJson, normalised, toEntity } from './entities.js';

describe('entityJson', () => {
  test.each(ENTITY_TYPES)('is the JSON of the %s entity a row holds, every field set or none', (type) => {
    const full = Object.fromEntries(entityType(type).fields.map((key, i) => [key, key === 'customAttributes' ? { tier: 'gold', 'quo"te': [1, { a: null }] } : `v${i} "é\n"`]));
    for (const data of [full, {}, { customAttributes: {} }]) {
      const row = { id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', org_id: 'o', type, data: JSON.stringify(normalised(type, data)), version: 3, created_at: 1_700_000_000_123, updated_at: 1_700_000_999_000 };
      expect(entityJson(row)).toBe(JSON.stringify(toEntity(row)));
    }
  });
});
