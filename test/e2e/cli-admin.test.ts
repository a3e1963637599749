import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/store/api-keys.js';
import { openStore } from '../../src/store/db.js';
import { findOrganisationBySlug } from '../../src/store/organisations.js';
import { assertBuilt, BIN, ROOT, startServe } from '../helpers/serve-process.js';

/** Runs the built CLI; resolves with its exit code and output. */
function hookyard(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-node-snapshot', BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('hookyard admin commands', () => {
  let dir: string;
  let dataDir: string;

  beforeAll(() => {
    assertBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-cli-'));
    dataDir = path.join(dir, 'data');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const res = await hookyard(['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(version);
  });

  it('refuses to start a worker on the embedded database, which its serve process owns', async () => {
    const res = await hookyard(['worker', '--data-dir', dataDir], { HOOKYARD_DATABASE_URL: '' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/hookyard worker needs PostgreSQL .*belongs to one process/);
  });

  it('migrates an empty data folder, then finds nothing to do', async () => {
    expect((await hookyard(['migrate', '--data-dir', dataDir])).stdout).toMatch(/Applied: 0001-initial/);
    expect((await hookyard(['migrate', '--data-dir', dataDir])).stdout).toMatch(/up to date/);
  });

  it('creates an organisation whose printed admin key works, and keys of other roles', async () => {
    const org = await hookyard(['orgs', 'create', 'acme', '--time-zone', 'Asia/Kolkata', '--data-dir', dataDir]);
    expect(org.code).toBe(0);
    const adminKey = org.stdout.trim();
    expect(adminKey).toMatch(/^hyk_[A-Za-z0-9_-]{43}$/);
    const viewer = await hookyard(['keys', 'create', '--org', 'acme', '--role', 'viewer', '--data-dir', dataDir]);
    expect(viewer.code).toBe(0);

    const store = openStore({ dataDir });
    try {
      const acme = await findOrganisationBySlug(store.db, 'acme');
      expect(acme?.timeZone).toBe('Asia/Kolkata');
      expect(await authenticateApiKey(store.db, adminKey)).toMatchObject({ orgId: acme!.id, role: 'admin' });
      expect(await authenticateApiKey(store.db, viewer.stdout.trim())).toMatchObject({ orgId: acme!.id, role: 'viewer' });
    } finally {
      await store.close();
    }
  });

  it('exits 1 with a clear message for a duplicate organisation or an unknown one', async () => {
    const again = await hookyard(['orgs', 'create', 'acme', '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/organisation "acme" already exists/);
    const missing = await hookyard(['keys', 'create', '--org', 'nope', '--role', 'admin', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/organisation "nope" not found/);
  });

  it('exits 2 for bad arguments, naming what is wrong', async () => {
    const role = await hookyard(['keys', 'create', '--role', 'owner', '--data-dir', dataDir]);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/owner/);
    const zone = await hookyard(['orgs', 'create', 'globex', '--time-zone', 'Mars/Olympus', '--data-dir', dataDir]);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/Mars\/Olympus/);
    const slug = await hookyard(['orgs', 'create', 'Not A Slug', '--data-dir', dataDir]);
    expect(slug.code).toBe(2);
    expect((await hookyard(['frobnicate'])).code).toBe(2);
  });

  it('uses HOOKYARD_ADMIN_KEY as the first admin key on the first start, and refuses a malformed one', async () => {
    const given = `hyk_${'Ab1_'.repeat(11)}`;
    const cwd = path.join(dir, 'first-start');
    fs.mkdirSync(cwd);
    const server = await startServe({ cwd, env: { HOOKYARD_ADMIN_KEY: given } });
    try {
      expect(server.adminKey).toBe(given);
      const res = await fetch(`${server.url}/v1/api-keys`, { headers: { authorization: `Bearer ${given}` } });
      expect(res.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const badDir = path.join(dir, 'bad-key');
    fs.mkdirSync(badDir);
    await expect(startServe({ cwd: badDir, env: { HOOKYARD_ADMIN_KEY: 'changeme' } })).rejects.toThrow(/admin key must be "hyk_"/);
  });
});
