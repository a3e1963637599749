import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKSTOP_PAGES, EVERY_MS, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

const PAGE = 4096;

describe('startWalCheckpointer', () => {
  let dir: string;
  let checkpointer: WalCheckpointer | undefined;
  afterEach(async () => {
    await checkpointer?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies the log into the database while the writer, checkpointing only past the backstop, goes on', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-wal-'));
    const file = path.join(dir, 'test.db');
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    db.exec('create table t (v text not null)');
    checkpointer = startWalCheckpointer(file);
    // About 2,500 pages: past SQLite's default checkpoint, well under the backstop.
    const insert = db.prepare('insert into t (v) values (?)');
    db.transaction(() => {
      for (let i = 0; i < 2500; i++) insert.run('x'.repeat(PAGE - 200));
    })();
    expect(fs.statSync(file).size).toBeLessThan(100 * PAGE);
    // Only another connection can have grown the database file: the writer never checkpointed.
    // Polled up to its whole size: a checkpoint still copying would keep the log from starting over.
    const pages = db.pragma('page_count', { simple: true }) as number;
    await expect.poll(() => fs.statSync(file).size, { timeout: 10_000, interval: 50 }).toBe(pages * PAGE);
    // The copy is done once that checkpoint has synced the file and marked the log copied: by the next one at the latest.
    await new Promise((resolve) => setTimeout(resolve, 2 * EVERY_MS));
    // And the writer starts the log over at its next commit, so it stops growing.
    const walBefore = fs.statSync(`${file}-wal`).size;
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run('y'.repeat(PAGE - 200));
    })();
    expect(fs.statSync(`${file}-wal`).size).toBe(walBefore);
    db.close();
  });

  it('has closed its connection and ended once stop() resolves', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-wal-'));
    const file = path.join(dir, 'test.db');
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (x integer)');
    const stopping = startWalCheckpointer(file);
    // The thread opens its connection as it starts; once it has, ours is not the last to close.
    await new Promise((resolve) => setTimeout(resolve, 300));
    db.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    await stopping.stop();
    // The last connection to close in WAL mode removes the log and its index: the thread's was.
    expect(fs.readdirSync(dir)).toEqual(['test.db']);
  });
});
