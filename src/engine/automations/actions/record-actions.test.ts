import { afterAll, beforeAll, expect, it } from 'vitest';
import { actionContext, failureOf } from '../../../../test/helpers/action-context.js';
import { describeEachEngine, freshStore } from '../../../../test/helpers/stores.js';
import type { Store } from '../../../store/db.js';
import { createEntity, findEntity } from '../../../store/entities.js';
import { listEntityEvents } from '../../../store/events.js';
import { insertLinks } from '../../../store/external-links.js';
import { insertOrganisation } from '../../../store/organisations.js';
import createRecord from './create-record.js';
import deleteRecord from './delete-record.js';
import updateRecord from './update-record.js';

const person = (n: string) => ({ firstName: `Ada${n}`, lastName: 'Lovelace', email: `ada${n}@acme.test` });
const AUTOMATION = { kind: 'automation', automationId: 'auto-1', depth: 2 };

describeEachEngine('record actions', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let acme: string;
  let globex: string;
  const ctxOf = (orgId: string) => actionContext({ store }, { orgId, automationId: 'auto-1', depth: 2 }).ctx;

  beforeAll(async () => {
    ({ store, dispose } = await freshStore(engine));
    acme = (await insertOrganisation(store.db, { slug: 'acme' })).id;
    globex = (await insertOrganisation(store.db, { slug: 'globex' })).id;
  });
  afterAll(async () => dispose?.());

  it('creates a record as the API does, its event naming the automation and the chain depth', async () => {
    const result = await createRecord.run({ entityType: 'employee', data: person('1') }, ctxOf(acme));
    const record = result.record as { id: string; links: unknown[] };
    expect(result).toMatchObject({ responseStatus: 201, record: { type: 'employee', version: 1, ...person('1'), links: [] } });
    expect(result.response).toEqual(result.record);
    expect(await findEntity(store.db, acme, 'employee', record.id)).toMatchObject(person('1'));
    const events = await listEntityEvents(store.db, acme, record.id);
    expect(events.map((e) => [e.changeType, e.source])).toEqual([['create', AUTOMATION]]);
  });

  it('creates a record linked to a source system record, found by it afterwards', async () => {
    const created = await createRecord.run({ entityType: 'employee', data: person('2'), externalId: 'E-2', sourceSystemKey: 'hr' }, ctxOf(acme));
    expect(created.record).toMatchObject({ links: [{ sourceSystemKey: 'hr', externalId: 'E-2', integrationId: null }] });
    const updated = await updateRecord.run({ entityType: 'employee', externalId: 'E-2', sourceSystemKey: 'hr', data: { lastName: 'Byron' } }, ctxOf(acme));
    expect(updated.record).toMatchObject({ id: (created.record as { id: string }).id, lastName: 'Byron', version: 2 });
    // The record is linked already: a second create would be a duplicate.
    await expect(createRecord.run({ entityType: 'employee', data: person('2b'), externalId: 'E-2', sourceSystemKey: 'hr' }, ctxOf(acme))).rejects.toMatchObject({
      code: 'HY_CONFLICT',
    });
  });

  it('fails a create the API would refuse with its 400 message and details, writing nothing', async () => {
    const before = await store.db.selectFrom('entities').select(store.db.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const failure = createRecord.run({ entityType: 'employee', data: { firstName: 'Ada', shoeSize: 44 } }, ctxOf(acme));
    await expect(failure).rejects.toMatchObject({ code: 'HY_VALIDATION', status: 400 });
    const error = (await failureOf(failure)) as Error & { details: Array<{ path: string }> };
    expect(error.details.map((d) => d.path)).toEqual(expect.arrayContaining(['body/shoeSize', 'body/lastName']));
    expect(error.message).toContain('body/shoeSize');
    const after = await store.db.selectFrom('entities').select(store.db.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('updates by id and by a link, each write recorded as the automation', async () => {
    const entity = await createEntity(store.db, { orgId: acme, type: 'employee', data: person('3'), source: { kind: 'api' } });
    await insertLinks(store.db, { orgId: acme, sourceSystemKey: 'payroll' }, [{ entityType: 'employee', externalId: 'P-3', entityId: entity.id, fingerprint: 'x' }]);
    const byId = await updateRecord.run({ entityType: 'employee', id: entity.id, data: { lastName: 'King' } }, ctxOf(acme));
    expect(byId).toMatchObject({ responseStatus: 200, record: { id: entity.id, lastName: 'King', links: [{ sourceSystemKey: 'payroll', externalId: 'P-3' }] } });
    await updateRecord.run({ entityType: 'employee', externalId: 'P-3', sourceSystemKey: 'payroll', data: { firstName: 'Augusta' } }, ctxOf(acme));
    expect(await findEntity(store.db, acme, 'employee', entity.id)).toMatchObject({ firstName: 'Augusta', lastName: 'King', version: 3 });
    const events = await listEntityEvents(store.db, acme, entity.id);
    expect(events.map((e) => e.source)).toEqual([{ kind: 'api' }, AUTOMATION, AUTOMATION]);
  });

  it('deletes by a link and answers the record as it was', async () => {
    const entity = await createEntity(store.db, { orgId: acme, type: 'employee', data: person('4'), source: { kind: 'api' } });
    await insertLinks(store.db, { orgId: acme, sourceSystemKey: 'hr' }, [{ entityType: 'employee', externalId: 'E-4', entityId: entity.id, fingerprint: 'x' }]);
    const result = await deleteRecord.run({ entityType: 'employee', externalId: 'E-4', sourceSystemKey: 'hr' }, ctxOf(acme));
    expect(result).toMatchObject({ responseStatus: 204, record: { id: entity.id, ...person('4') } });
    expect(await findEntity(store.db, acme, 'employee', entity.id)).toBeUndefined();
    const events = await listEntityEvents(store.db, acme, entity.id);
    expect(events.map((e) => [e.changeType, e.source])).toEqual([
      ['create', { kind: 'api' }],
      ['delete', AUTOMATION],
    ]);
  });

  it("never reaches another organisation's records, by id or by link", async () => {
    const theirs = await createEntity(store.db, { orgId: globex, type: 'employee', data: person('5'), source: { kind: 'api' } });
    await insertLinks(store.db, { orgId: globex, sourceSystemKey: 'hr' }, [{ entityType: 'employee', externalId: 'G-5', entityId: theirs.id, fingerprint: 'x' }]);
    await expect(updateRecord.run({ entityType: 'employee', id: theirs.id, data: { lastName: 'X' } }, ctxOf(acme))).rejects.toMatchObject({ code: 'HY_NOT_FOUND' });
    await expect(deleteRecord.run({ entityType: 'employee', id: theirs.id }, ctxOf(acme))).rejects.toMatchObject({ code: 'HY_NOT_FOUND' });
    await expect(updateRecord.run({ entityType: 'employee', externalId: 'G-5', sourceSystemKey: 'hr', data: { lastName: 'X' } }, ctxOf(acme))).rejects.toThrow(
      'no employee is linked to G-5 of source system hr',
    );
    expect(await findEntity(store.db, globex, 'employee', theirs.id)).toMatchObject({ lastName: 'Lovelace', version: 1 });
  });

  it('fails on rendered params that name no record', async () => {
    await expect(updateRecord.run({ entityType: 'employee', data: {} }, ctxOf(acme))).rejects.toThrow('params/id is required (or externalId with sourceSystemKey)');
    await expect(deleteRecord.run({ entityType: 'planet', id: 'x' } as never, ctxOf(acme))).rejects.toThrow('params/entityType must be one of');
  });
});
