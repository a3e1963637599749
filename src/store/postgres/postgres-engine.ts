import pg from 'pg';
import { PostgresDialect, sql } from 'kysely';
import type { Engine } from '../dialect.js';
import { postgresNotifications } from './postgres-notifications.js';

const INT8_OID = 20;

/** PostgreSQL through a `pg` pool; shared by any number of Hookyard processes. */
export function postgresEngine(connectionString: string, poolSize = 10): Engine {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    // Times are bigint milliseconds: well inside Number's exact range.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
    },
  });
  // An idle client whose connection ends (the server restarts, an admin terminates it)
  // reports it here; unheard, the error would end the process. The next query opens a
  // new connection, and /readyz tells whether that works.
  pool.on('error', () => {});
  return {
    name: 'postgres',
    dialect: new PostgresDialect({ pool }),
    jsonText: (column, key) => sql<string | null>`(${sql.ref(column)}::jsonb ->> ${key})`,
    notifications: postgresNotifications(connectionString),
  };
}
