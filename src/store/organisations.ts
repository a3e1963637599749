/** Organisations (tenants). */
import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.js';
import type { Database, OrganisationsTable } from './schema.js';

export interface Organisation {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly timeZone: string;
  readonly createdAt: string;
}

function toOrganisation(row: OrganisationsTable): Organisation {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    timeZone: row.time_zone,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function insertOrganisation(
  db: Kysely<Database>,
  input: { slug: string; name?: string; timeZone?: string },
): Promise<Organisation> {
  const row: OrganisationsTable = {
    id: newId(),
    slug: input.slug,
    name: input.name ?? input.slug,
    time_zone: input.timeZone ?? 'UTC',
    created_at: Date.now(),
  };
  await db.insertInto('organisations').values(row).execute();
  return toOrganisation(row);
}

export async function findOrganisationBySlug(db: Kysely<Database>, slug: string): Promise<Organisation | undefined> {
  const row = await db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && toOrganisation(row);
}

export async function findOrganisation(db: Kysely<Database>, id: string): Promise<Organisation | undefined> {
  const row = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOrganisation(row);
}

export async function countOrganisations(db: Kysely<Database>): Promise<number> {
  const { n } = await db
    .selectFrom('organisations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
