import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChangeSource } from '../../src/domain/entity-events.js';
import { createEntity, deleteEntity, findEntity, updateEntity } from '../../src/store/entities.js';
import { listEntityEvents } from '../../src/store/events.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('entity change events (outbox)', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let apiKeyId: string;
  const pull: ChangeSource = { kind: 'pull', integrationId: 'int-1', hookId: 'hook-1' };

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    const me = await t.store.db.selectFrom('api_keys').select('id').where('org_id', '=', acme.org.id).where('role', '=', 'editor').executeTakeFirstOrThrow();
    apiKeyId = me.id;
  });
  afterAll(async () => t?.dispose());

  const countEvents = async () => {
    const { n } = await t.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', acme.org.id)
      .executeTakeFirstOrThrow();
    return Number(n);
  };

  it('writes create, update and delete events with the entity before and after and who made the change', async () => {
    const url = '/v1/entities/vacancy';
    // Events carry the entity's fields; links are the API's view of where it came from.
    const { links: _created, ...created } = (await t.call(acme.keys.editor, { method: 'POST', url, payload: { role: 'SRE' } })).json();
    const { links: _updated, ...updated } = (await t.call(acme.keys.editor, { method: 'PATCH', url: `${url}/${created.id}`, payload: { status: 'filled' } })).json();
    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `${url}/${created.id}` })).statusCode).toBe(204);

    const events = await listEntityEvents(t.store.db, acme.org.id, created.id);
    const source = { kind: 'api', apiKeyId };
    expect(events.map((e) => e.changeType)).toEqual(['create', 'update', 'delete']);
    expect(events[0]).toMatchObject({ entityType: 'vacancy', entityId: created.id, before: null, after: created, source });
    expect(events[1]).toMatchObject({ before: created, after: updated, source });
    expect(events[2]).toMatchObject({ before: updated, after: null, source });
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    for (const e of events) expect(Date.parse(e.occurredAt)).not.toBeNaN();
  });

  it('writes no event for a patch that changes nothing', async () => {
    const url = '/v1/entities/project';
    const p = (await t.call(acme.keys.editor, { method: 'POST', url, payload: { name: 'Apollo', priority: 1 } })).json();
    const before = await countEvents();
    const res = await t.call(acme.keys.editor, { method: 'PATCH', url: `${url}/${p.id}`, payload: { name: 'Apollo', priority: 1, customAttributes: {} } });
    expect(res.json().version).toBe(1);
    expect(await countEvents()).toBe(before);
  });

  it('records the source a sync passes, inside the sync\'s own transaction', async () => {
    const entity = await t.store.db.transaction().execute(async (trx) => {
      const e = await createEntity(trx, { orgId: acme.org.id, type: 'contractor', data: { name: 'Initech' }, source: pull });
      const changed = await updateEntity(trx, { orgId: acme.org.id, type: 'contractor', id: e.id, patch: { rate: 10 }, source: pull });
      return changed!.entity;
    });
    expect(entity.version).toBe(2);
    const events = await listEntityEvents(t.store.db, acme.org.id, entity.id);
    expect(events.map((e) => [e.changeType, e.source])).toEqual([
      ['create', pull],
      ['update', pull],
    ]);
  });

  it('writes neither the entity nor its event when the transaction rolls back', async () => {
    const before = await countEvents();
    const kept = await createEntity(t.store.db, { orgId: acme.org.id, type: 'project', data: { name: 'Kept' }, source: pull });
    const afterKept = await countEvents();
    expect(afterKept).toBe(before + 1);

    let createdId = '';
    await expect(
      t.store.db.transaction().execute(async (trx) => {
        createdId = (await createEntity(trx, { orgId: acme.org.id, type: 'project', data: { name: 'Lost' }, source: pull })).id;
        await updateEntity(trx, { orgId: acme.org.id, type: 'project', id: kept.id, patch: { priority: 5 }, source: pull });
        await deleteEntity(trx, { orgId: acme.org.id, type: 'project', id: kept.id, source: pull });
        throw new Error('the page failed after the writes');
      }),
    ).rejects.toThrow('the page failed');

    expect(await findEntity(t.store.db, acme.org.id, 'project', createdId)).toBeUndefined();
    expect(await findEntity(t.store.db, acme.org.id, 'project', kept.id)).toEqual(kept);
    expect(await listEntityEvents(t.store.db, acme.org.id, createdId)).toEqual([]);
    expect(await countEvents()).toBe(afterKept);
  });

  it('answers 409 through the store for a stale expected version, writing nothing', async () => {
    const e = await createEntity(t.store.db, { orgId: acme.org.id, type: 'project', data: { name: 'Versioned' }, source: pull });
    const before = await countEvents();
    await expect(
      updateEntity(t.store.db, { orgId: acme.org.id, type: 'project', id: e.id, patch: { priority: 2 }, source: pull, expectedVersion: 7 }),
    ).rejects.toMatchObject({ code: 'HY_VERSION_MISMATCH', status: 409 });
    expect(await countEvents()).toBe(before);
  });
});
