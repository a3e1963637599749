import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, startServe, type ServeProcess } from '../helpers/serve-process.js';

/** The environment of every process here: embedded SQLite in `dataDir`. */
const embedded = (dataDir: string) => ({ HOOKYARD_DATABASE_URL: '', HOOKYARD_DATA_DIR: dataDir });

function hookyard(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-node-snapshot', BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the embedded data folder, between real processes', () => {
  let cwd: string;
  let dataDir: string;
  const servers: ServeProcess[] = [];

  beforeAll(() => {
    assertBuilt();
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-folder-'));
    dataDir = path.join(cwd, 'data');
  });
  afterAll(async () => {
    for (const server of servers) await server.stop('SIGKILL');
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('is created 0700 with its database, WAL, shared-memory, key and lock files 0600', async () => {
    const server = await startServe({ cwd, env: embedded(dataDir) });
    servers.push(server);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(dataDir).sort();
    expect(files).toEqual(expect.arrayContaining(['hookyard.db', 'hookyard.db-shm', 'hookyard.db-wal', 'hookyard.lock', 'hookyard.pid', 'master.key']));
    for (const name of files) expect(fs.statSync(path.join(dataDir, name)).mode & 0o777, name).toBe(0o600);
  });

  it('refuses a second serve, naming the folder and the running process', async () => {
    const [first] = servers;
    const holder = new RegExp(`the data folder ${dataDir} is in use by hookyard serve \\(pid ${first.child.pid}, since `);
    await expect(startServe({ cwd, env: embedded(dataDir) })).rejects.toThrow(holder);
    // The first one is unharmed.
    expect((await fetch(`${first.url}/v1/api-keys`, { headers: { authorization: `Bearer ${first.adminKey}` } })).status).toBe(200);
  });

  it('refuses migrate, keys create and orgs create while serve runs, naming the folder and the process', async () => {
    const holder = `in use by hookyard serve (pid ${servers[0].child.pid}`;
    for (const args of [['migrate'], ['keys', 'create', '--role', 'admin'], ['orgs', 'create', 'acme']]) {
      const res = await hookyard(args, embedded(dataDir));
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr).toContain(`the data folder ${dataDir} is ${holder}`);
      expect(res.stdout).toBe('');
    }
  });

  it('leaves no stale lock when serve is killed with SIGKILL', async () => {
    expect(await servers[0].stop('SIGKILL')).toBe('SIGKILL');
    const next = await startServe({ cwd, env: embedded(dataDir) });
    servers.push(next);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'hookyard.pid'), 'utf8'))).toMatchObject({ pid: next.child.pid, command: 'hookyard serve' });
    expect(await next.stop('SIGTERM')).toBe(0);
    // A clean stop releases it too, and says nobody holds it.
    expect(fs.existsSync(path.join(dataDir, 'hookyard.pid'))).toBe(false);
    const migrate = await hookyard(['migrate'], embedded(dataDir));
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/up to date/);
  });
});
