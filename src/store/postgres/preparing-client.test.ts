import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/helpers/stores.js';
import { PreparingClient } from './preparing-client.js';

const postgres = ENGINES.find((e) => e.name === 'postgres');

(postgres ? describe : describe.skip)('the preparing PostgreSQL client', () => {
  let database: Awaited<ReturnType<NonNullable<typeof postgres>['createDatabase']>>;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await postgres!.createDatabase();
    // One connection: every query below shares its prepared statements.
    pool = new pg.Pool({ Client: PreparingClient, connectionString: database.databaseUrl, max: 1 });
    await pool.query('create table t (id int primary key, a text)');
    await pool.query(`insert into t values (1, 'one')`);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const prepared = async (client: pg.PoolClient) => (await client.query('select statement from pg_prepared_statements order by statement')).rows.map((r) => r.statement);

  it('prepares a text the second time it runs with parameters, and runs it by name after', async () => {
    const client = await pool.connect();
    try {
      expect((await client.query('select a from t where id = $1', [1])).rows).toEqual([{ a: 'one' }]);
      expect(await prepared(client)).toEqual([]);
      expect((await client.query('select a from t where id = $1', [2])).rows).toEqual([]);
      expect((await client.query('select a from t where id = $1', [1])).rows).toEqual([{ a: 'one' }]);
      expect(await prepared(client)).toEqual(['select a from t where id = $1']);
    } finally {
      client.release();
    }
  });

  it('keeps what a connection prepares within its bound of text (PostgreSQL holds each plan until the connection closes)', async () => {
    const client = await pool.connect();
    try {
      // 40 texts of 30 KB each, each run twice: 1.2 MB, past the 1 MB a connection prepares.
      for (let i = 0; i < 40; i++) {
        const text = `select $1::int + ${i} as x /* ${'p'.repeat(30 * 1024)} */`;
        for (let n = 0; n < 2; n++) expect((await client.query(text, [1])).rows).toEqual([{ x: 1 + i }]);
      }
      const statements = await prepared(client);
      const chars = statements.reduce((sum, text) => sum + text.length, 0);
      expect(statements.filter((text) => text.includes('::int +')).length).toBeGreaterThan(20);
      expect(chars).toBeLessThanOrEqual(1024 * 1024);
    } finally {
      client.release();
    }
  });

  it('runs a prepared select * again unprepared once its table gained a column', async () => {
    const client = await pool.connect();
    try {
      for (let i = 0; i < 2; i++) expect((await client.query('select * from t where id = $1', [1])).rows).toEqual([{ id: 1, a: 'one' }]);
      await client.query('alter table t add column b text');
      // Outside a transaction, at once.
      expect((await client.query('select * from t where id = $1', [1])).rows).toEqual([{ id: 1, a: 'one', b: null }]);

      // In a transaction the error aborts it, so it stands; after that the text runs unprepared.
      const text = 'select * from t where id = $1 and a is not null';
      for (let i = 0; i < 2; i++) expect((await client.query(text, [1])).rows).toHaveLength(1);
      await client.query('alter table t add column c text');
      await client.query('begin');
      await expect(client.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
      await client.query('rollback');
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, a: 'one', b: null, c: null }]);
    } finally {
      client.release();
    }
  });
});
