import { describe, expect, it } from 'vitest';
import type { ValueRule } from './custom-attributes.js';
import { validateEntityData } from './entity-validation.js';

const level: ValueRule = { key: 'level', type: 'enum', options: ['junior', 'senior'] };
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test' };

describe('validateEntityData', () => {
  it('accepts a complete employee and keeps its fields in schema order', () => {
    const result = validateEntityData(
      'employee',
      {
        teamAllocations: [{ teamName: 'Core', fte: 0.5, startDate: '2024-02-29' }],
        jobRole: { title: 'Engineer' },
        ...ada,
        salaryAdjustments: [{ effectiveDate: '2024-01-01', amount: 1000, currencyCode: 'EUR' }],
      },
      'create',
      [],
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(Object.keys(result.data)).toEqual(['firstName', 'lastName', 'email', 'jobRole', 'teamAllocations', 'salaryAdjustments']);
  });

  it('names every missing required field', () => {
    const { errors } = validateEntityData('employee', { firstName: 'Ada' }, 'create', []);
    expect(errors.map((e) => e.message)).toEqual(['lastName is required', 'email is required']);
  });

  it('names the field of a wrong type', () => {
    const { errors } = validateEntityData('employee', { ...ada, firstName: 42 }, 'create', []);
    expect(errors).toEqual([{ path: 'firstName', message: 'firstName must be a string' }]);
  });

  it('lists the allowed values of an enum', () => {
    const { errors } = validateEntityData('vacancy', { role: 'SRE', status: 'closed' }, 'create', []);
    expect(errors[0].message).toBe('status must be one of open, filled, cancelled, on_hold');
  });

  it('refuses a date that does not exist or is not YYYY-MM-DD', () => {
    for (const startDate of ['2023-02-29', '2024-13-01', '01/02/2024', '2024-1-1']) {
      const { errors } = validateEntityData('employee', { ...ada, startDate }, 'create', []);
      expect(errors[0].message).toBe('startDate must be a real date as YYYY-MM-DD');
    }
  });

  it('points into nested arrays', () => {
    const { errors } = validateEntityData(
      'employee',
      { ...ada, teamAllocations: [{ teamName: 'Core', fte: 0.5, startDate: '2024-01-01' }, { teamName: 'Ops', fte: 1.5, startDate: '2024-01-01' }] },
      'create',
      [],
    );
    expect(errors).toEqual([{ path: 'teamAllocations/1/fte', message: 'teamAllocations/1/fte must be at most 1' }]);
  });

  it('requires a three-letter upper-case currency code', () => {
    const { errors } = validateEntityData(
      'employee',
      { ...ada, salaryAdjustments: [{ effectiveDate: '2024-01-01', amount: 1, currencyCode: 'eur' }] },
      'create',
      [],
    );
    expect(errors[0].message).toBe('salaryAdjustments/0/currencyCode must be an ISO 4217 currency code of 3 upper-case letters');
  });

  it('accepts a job role as a string or as an object, and nothing else', () => {
    expect(validateEntityData('employee', { ...ada, jobRole: 'Engineer' }, 'create', []).errors).toEqual([]);
    const { errors } = validateEntityData('employee', { ...ada, jobRole: 7 }, 'create', []);
    expect(errors[0].message).toBe('jobRole must be a job title, or an object { title, externalId? }');
  });

  it('gives a vacancy its defaults and a project its priority', () => {
    expect(validateEntityData('vacancy', { role: 'SRE' }, 'create', []).data).toEqual({ role: 'SRE', status: 'open', fte: 1 });
    expect(validateEntityData('project', { name: 'Apollo' }, 'create', []).data).toEqual({ name: 'Apollo', priority: 0 });
  });

  it('refuses a project priority that is not an integer', () => {
    expect(validateEntityData('project', { name: 'Apollo', priority: 1.5 }, 'create', []).errors[0].message).toBe('priority must be an integer');
  });

  it('warns about unknown fields at any depth and leaves them out', () => {
    const result = validateEntityData(
      'employee',
      { ...ada, nickname: 'A', teamAllocations: [{ teamName: 'Core', fte: 1, startDate: '2024-01-01', colour: 'red' }] },
      'create',
      [],
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.message)).toEqual(['nickname is not a field of employee', 'teamAllocations/0/colour is not a known field']);
    expect(result.data).toEqual({ ...ada, teamAllocations: [{ teamName: 'Core', fte: 1, startDate: '2024-01-01' }] });
  });

  it('treats null as absent in a create and as a clear in a patch', () => {
    expect(validateEntityData('contractor', { name: 'Bob', email: null }, 'create', []).data).toEqual({ name: 'Bob' });
    const patch = validateEntityData('contractor', { email: null, rate: 10 }, 'patch', []);
    expect(patch).toEqual({ data: { email: null, rate: 10 }, errors: [], warnings: [] });
  });

  it('refuses to clear a required field', () => {
    const { errors } = validateEntityData('employee', { lastName: null }, 'patch', []);
    expect(errors[0].message).toBe('lastName is required and cannot be cleared');
  });

  it('does not require fields in a patch and applies no defaults', () => {
    expect(validateEntityData('vacancy', { description: 'x' }, 'patch', [])).toEqual({ data: { description: 'x' }, errors: [], warnings: [] });
  });

  it('checks custom attribute values against their definitions', () => {
    const ok = validateEntityData('employee', { ...ada, customAttributes: { level: 'senior' } }, 'create', [level]);
    expect(ok.errors).toEqual([]);
    expect(ok.data.customAttributes).toEqual({ level: 'senior' });
    const bad = validateEntityData('employee', { ...ada, customAttributes: { level: 'lead' } }, 'create', [level]);
    expect(bad.errors).toEqual([{ path: 'customAttributes/level', message: 'customAttributes/level must be one of junior, senior' }]);
  });

  it('warns about custom attribute keys without a definition', () => {
    const { warnings, data } = validateEntityData('employee', { ...ada, customAttributes: { shoeSize: 44 } }, 'create', [level]);
    expect(warnings[0].message).toBe('customAttributes/shoeSize has no custom attribute definition');
    expect(data.customAttributes).toEqual({});
  });

  it('requires exactly one worker and a project on an assignment', () => {
    const none = validateEntityData('assignment', { projectId: 'p' }, 'create', []);
    expect(none.errors[0].message).toMatch(/exactly one of employeeId, contractorId or vacancyId .* it has none/);
    const two = validateEntityData('assignment', { employeeId: 'e', contractorExternalId: 'c', projectId: 'p' }, 'create', []);
    expect(two.errors[0].message).toMatch(/it has employee and contractor$/);
    const noProject = validateEntityData('assignment', { employeeId: 'e', fte: 11 }, 'create', []);
    expect(noProject.errors.map((e) => e.message)).toEqual(['fte must be at most 10', 'projectId is required (or projectExternalId)']);
  });

  it('refuses data that is not an object', () => {
    expect(validateEntityData('project', [1], 'create', []).errors[0].message).toBe('the record must be a JSON object of project fields');
  });
});
