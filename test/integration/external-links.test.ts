import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEntity, deleteEntity } from '../../src/store/entities.js';
import { findLinks, insertLinks, linkKey } from '../../src/store/external-links.js';
import { insertOrganisation } from '../../src/store/organisations.js';
import type { Store } from '../../src/store/db.js';
import { describeEachEngine, freshStore } from '../helpers/stores.js';

describeEachEngine('external links', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const source = { kind: 'pull', integrationId: 'int-1', hookId: 'hook-1' } as const;
  // Characters an array literal or an `in` list must not mistake for syntax.
  const odd = ['plain', 'with "quotes"', 'back\\slash', 'a,b', '{braces}', 'NULL', ' spaced ', 'ünïcode'];

  beforeAll(async () => {
    ({ store, dispose } = await freshStore(engine));
  });
  afterAll(async () => dispose?.());

  async function orgWithLinks(slug: string, externalIds: readonly string[]) {
    const org = await insertOrganisation(store.db, { slug });
    const links = [];
    for (const externalId of externalIds) {
      const entity = await createEntity(store.db, { orgId: org.id, type: 'employee', source, data: { firstName: 'A', lastName: externalId, email: 'a@x.test' } });
      links.push({ entityType: 'employee' as const, externalId, entityId: entity.id, fingerprint: `fp-${externalId}` });
    }
    await insertLinks(store.db, { orgId: org.id, sourceSystemKey: 'hr' }, links);
    return { org, links };
  }

  it('finds the links of a page of external ids, whatever characters they hold, within one organisation and source system', async () => {
    const acme = await orgWithLinks('links-acme', odd);
    const other = await orgWithLinks('links-other', odd);
    const ids = [...odd, 'missing', 'plain'];

    const found = await findLinks(store.db, engine.name, { orgId: acme.org.id, sourceSystemKey: 'hr' }, ['employee', 'contractor'], ids);
    expect(found.size).toBe(odd.length);
    for (const link of acme.links) {
      expect(found.get(linkKey('employee', link.externalId))).toMatchObject({ externalId: link.externalId, entityId: link.entityId, fingerprint: link.fingerprint });
    }
    expect([...found.values()].some((l) => other.links.some((o) => o.entityId === l.entityId))).toBe(false);
    expect((await findLinks(store.db, engine.name, { orgId: acme.org.id, sourceSystemKey: 'crm' }, ['employee'], ids)).size).toBe(0);
    expect((await findLinks(store.db, engine.name, { orgId: acme.org.id, sourceSystemKey: 'hr' }, ['contractor'], ids)).size).toBe(0);
  });

  it('deletes the links of an entity it deletes, and only those', async () => {
    const { org, links } = await orgWithLinks('links-deleted', ['gone', 'kept']);
    const [gone, kept] = links;
    expect(await deleteEntity(store.db, { orgId: org.id, type: 'employee', source, id: gone!.entityId })).toMatchObject({ id: gone!.entityId });

    const found = await findLinks(store.db, engine.name, { orgId: org.id, sourceSystemKey: 'hr' }, ['employee'], ['gone', 'kept']);
    expect([...found.keys()]).toEqual([linkKey('employee', 'kept')]);
    expect(found.get(linkKey('employee', 'kept'))?.entityId).toBe(kept!.entityId);
    const orphans = await store.db.selectFrom('external_links').select('id').where('entity_id', '=', gone!.entityId).execute();
    expect(orphans).toEqual([]);
  });
});
