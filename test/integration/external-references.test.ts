import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { createEntity, resolveExternalReference } from '../../src/store/entities.js';
import { insertOrganisation } from '../../src/store/organisations.js';
import type { Store } from '../../src/store/db.js';
import { describeEachEngine, freshStore } from '../helpers/stores.js';

describeEachEngine('resolveExternalReference', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;

  beforeAll(async () => ({ store, dispose } = await freshStore(engine)));
  afterAll(async () => dispose?.());

  it('finds the entity a source system knows by its external id, only within that system and organisation', async () => {
    const acme = await insertOrganisation(store.db, { slug: 'acme' });
    const globex = await insertOrganisation(store.db, { slug: 'globex' });
    const source = { kind: 'pull', integrationId: 'i', hookId: 'h' } as const;
    const ada = await createEntity(store.db, { orgId: acme.id, type: 'employee', data: { firstName: 'Ada', lastName: 'L', email: 'a@acme.test' }, source });
    await store.db
      .insertInto('external_links')
      .values({ id: newId(), org_id: acme.id, source_system_key: 'workday', entity_type: 'employee', external_id: 'E-1', entity_id: ada.id, fingerprint: 'f', updated_at: Date.now() })
      .execute();

    expect(await resolveExternalReference(store.db, acme.id, 'workday', 'employee', 'E-1')).toBe(ada.id);
    expect(await resolveExternalReference(store.db, acme.id, 'bamboo', 'employee', 'E-1')).toBeUndefined();
    expect(await resolveExternalReference(store.db, acme.id, 'workday', 'contractor', 'E-1')).toBeUndefined();
    expect(await resolveExternalReference(store.db, globex.id, 'workday', 'employee', 'E-1')).toBeUndefined();
  });
});
