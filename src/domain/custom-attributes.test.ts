import { describe, expect, it } from 'vitest';
import { checkCustomAttributes, checkDefinitionOptions, type ValueRule } from './custom-attributes.js';

const rules: ValueRule[] = [
  { key: 'nickname', type: 'string', options: null },
  { key: 'shoeSize', type: 'number', options: null },
  { key: 'remote', type: 'boolean', options: null },
  { key: 'anniversary', type: 'date', options: null },
  { key: 'level', type: 'enum', options: ['junior', 'senior'] },
];

describe('checkCustomAttributes', () => {
  it('accepts a value of each type', () => {
    const values = { nickname: 'Ada', shoeSize: 38, remote: true, anniversary: '2020-05-01', level: 'junior' };
    expect(checkCustomAttributes(values, rules, 'create')).toEqual({ values, errors: [], warnings: [] });
  });

  it('names the attribute and what it must be', () => {
    const { errors } = checkCustomAttributes({ nickname: 1, shoeSize: '38', remote: 'yes', anniversary: '2021-02-29', level: 'lead' }, rules, 'create');
    expect(errors.map((e) => e.message)).toEqual([
      'customAttributes/nickname must be a string',
      'customAttributes/shoeSize must be a number',
      'customAttributes/remote must be true or false',
      'customAttributes/anniversary must be a real date as YYYY-MM-DD',
      'customAttributes/level must be one of junior, senior',
    ]);
  });

  it('keeps null as a removal in a patch and drops it from a create', () => {
    expect(checkCustomAttributes({ level: null }, rules, 'patch').values).toEqual({ level: null });
    expect(checkCustomAttributes({ level: null }, rules, 'create').values).toEqual({});
  });

  it('lets a patch remove a key whose definition is gone', () => {
    expect(checkCustomAttributes({ retired: null }, rules, 'patch')).toEqual({ values: { retired: null }, errors: [], warnings: [] });
  });
});

describe('checkDefinitionOptions', () => {
  it('requires options for an enum and refuses them for other types', () => {
    expect(checkDefinitionOptions('enum', undefined)[0].message).toBe('options is required for an enum attribute');
    expect(checkDefinitionOptions('string', ['a'])[0].message).toBe('options is only for enum attributes; this one is string');
    expect(checkDefinitionOptions('enum', ['a'])).toEqual([]);
  });
});
