import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openStore } from '../db.js';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('embedded data folder modes', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const fresh = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-modes-'));
    dirs.push(dir);
    return dir;
  };

  it('creates the folder 0700 and the database with its -wal and -shm files 0600', async () => {
    const dataDir = path.join(fresh(), 'nested', 'data');
    const store = openStore({ dataDir });
    try {
      await migrate(store);
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(path.dirname(dataDir))).toBe(0o700);
      for (const name of ['hookyard.db', 'hookyard.db-wal', 'hookyard.db-shm']) expect(modeOf(path.join(dataDir, name)), name).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('narrows files an earlier version left readable by others to 0600', async () => {
    const dataDir = fresh();
    const first = openStore({ dataDir });
    await migrate(first);
    for (const name of ['hookyard.db', 'hookyard.db-wal', 'hookyard.db-shm']) fs.chmodSync(path.join(dataDir, name), 0o644);
    const second = openStore({ dataDir });
    try {
      for (const name of ['hookyard.db', 'hookyard.db-wal', 'hookyard.db-shm']) expect(modeOf(path.join(dataDir, name)), name).toBe(0o600);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
