/** Creating organisations, each with its first admin key. */
import type { Kysely } from 'kysely';
import { looksLikeApiKey } from '../domain/api-keys.js';
import { HookyardError } from '../domain/errors.js';
import { assertSlug, assertTimeZone } from '../domain/organisations.js';
import { createApiKey } from '../store/api-keys.js';
import { countOrganisations, findOrganisationBySlug, insertOrganisation, type Organisation } from '../store/organisations.js';
import type { Database } from '../store/schema.js';

export interface NewOrganisation {
  readonly slug: string;
  readonly name?: string;
  readonly timeZone?: string;
  /** Use this as the admin key instead of a random one. */
  readonly adminKey?: string;
}

/** Creates an organisation and its admin key in one transaction; the key is shown once. */
export async function createOrganisation(db: Kysely<Database>, input: NewOrganisation): Promise<{ org: Organisation; adminKey: string }> {
  assertSlug(input.slug);
  if (input.timeZone !== undefined) assertTimeZone(input.timeZone);
  if (input.adminKey !== undefined && !looksLikeApiKey(input.adminKey)) {
    throw new HookyardError('HY_VALIDATION', 'the admin key must be "hyk_" followed by at least 32 URL-safe characters (A-Z a-z 0-9 _ -)');
  }
  return db.transaction().execute(async (tx) => {
    if (await findOrganisationBySlug(tx, input.slug)) {
      throw new HookyardError('HY_CONFLICT', `organisation "${input.slug}" already exists`);
    }
    const org = await insertOrganisation(tx, input);
    const { key } = await createApiKey(tx, { orgId: org.id, role: 'admin', name: 'first admin key', key: input.adminKey });
    return { org, adminKey: key };
  });
}

/**
 * On the very first start, creates the `default` organisation and returns its admin
 * key; afterwards returns undefined.
 */
export async function bootstrap(db: Kysely<Database>, adminKey?: string): Promise<{ org: Organisation; adminKey: string } | undefined> {
  if ((await countOrganisations(db)) > 0) return undefined;
  return createOrganisation(db, { slug: 'default', name: 'Default organisation', adminKey });
}
