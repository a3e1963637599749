import pg from 'pg';
import { PostgresDialect, sql } from 'kysely';
import type { Engine } from '../dialect.js';
import { postgresNotifications } from './postgres-notifications.js';
import { PreparingClient } from './preparing-client.js';

const INT8_OID = 20;

/** PostgreSQL through a `pg` pool; shared by any number of Hookyard processes. */
export function postgresEngine(connectionString: string, poolSize = 10): Engine {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString,
    max: poolSize,
    // Times are bigint milliseconds: well inside Number's exact range.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
    },
  });
  // A connection that ends under a client (the server restarts, an admin terminates it, the
  // network drops) is reported as an 'error' event: by the pool for an idle client, by the
  // client itself while it is checked out. Unheard, either would end the process. The
  // query in flight fails on its own; the next one opens a new connection, and /readyz
  // says whether that works.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return {
    name: 'postgres',
    dialect: new PostgresDialect({ pool }),
    jsonText: (column, key) => sql<string | null>`(${sql.ref(column)}::jsonb ->> ${key})`,
    notifications: postgresNotifications(connectionString),
  };
}
