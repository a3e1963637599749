import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOLDER_FILE, lockDataFolder } from './folder-lock.js';

describe('data folder lock', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-lock-'));
    dirs.push(dir);
    return path.join(dir, 'data');
  };
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('refuses a second holder, naming the folder and the holding process, until the first releases it', () => {
    const dataDir = fresh();
    const first = lockDataFolder(dataDir, 'hookyard serve');
    let refusal: unknown;
    try {
      lockDataFolder(dataDir, 'hookyard migrate');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toMatchObject({ code: 'HY_CONFLICT', status: 409 });
    expect((refusal as Error).message).toContain(`the data folder ${dataDir} is in use by hookyard serve (pid ${process.pid}, since `);

    first.release();
    first.release();
    expect(fs.existsSync(path.join(dataDir, HOLDER_FILE))).toBe(false);
    const second = lockDataFolder(dataDir, 'hookyard migrate');
    second.release();
  });

  it('creates the folder 0700 and its lock files 0600', () => {
    const dataDir = fresh();
    const lock = lockDataFolder(dataDir, 'hookyard serve');
    try {
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const name of fs.readdirSync(dataDir)) expect(fs.statSync(path.join(dataDir, name)).mode & 0o777, name).toBe(0o600);
    } finally {
      lock.release();
    }
  });
});
