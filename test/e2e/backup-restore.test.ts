/**
 * `hookyard backup` against a real `serve` that keeps writing, then `hookyard restore`
 * into an empty folder: every write acknowledged before the backup began is in the
 * copy, the copy is consistent (every entity has its outbox event), every secret
 * decrypts, and restore refuses a live folder and one that has a database.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, startServe, type ServeProcess } from '../helpers/serve-process.js';

const run = promisify(execFile);
const ADMIN_KEY = `hyk_${'b'.repeat(43)}`;
const SECRETS = { apiToken: 'tok-6f1d2e9a', password: 'pw with spaces & symbols ✓', webhook: 'whsec_c2VjcmV0LXZhbHVl' };

/** Runs a `hookyard` command; resolves with its exit code and output. */
async function hookyard(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--no-node-snapshot', BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('hookyard backup and restore of the embedded store', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-e2e-backup-'));
  const live = path.join(root, 'live');
  const restored = path.join(root, 'restored');
  const copy = path.join(root, 'copy.db');
  const keyCopy = path.join(root, 'copy.key');
  const servers: ServeProcess[] = [];
  // Leaves the master key to the data folder (master.key), as an embedded install does.
  const env = { HOOKYARD_ADMIN_KEY: ADMIN_KEY, HOOKYARD_MASTER_KEY: '' };
  afterAll(async () => {
    for (const server of servers) await server.stop('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  });

  const client = (server: ServeProcess) => async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('copies every acknowledged write while writes go on, and the restored copy reads them and every secret', async () => {
    const server = await startServe({ cwd: root, env, args: ['--data-dir', live] });
    servers.push(server);
    const api = client(server);
    const integration = (await api('POST', '/v1/integrations', { name: 'HR', sourceSystemKey: 'hr' })).body;
    for (const [name, value] of Object.entries(SECRETS)) {
      expect((await api('PUT', `/v1/integrations/${integration.id}/secrets/${name}`, { value })).status).toBe(201);
    }
    const checks = Object.entries(SECRETS).map(([name, value]) => `ctx.secrets.${name} === ${JSON.stringify(value)}`);
    const hook = (await api('POST', `/v1/integrations/${integration.id}/hooks`, {
      name: 'secret check',
      type: 'push',
      entityType: 'project',
      enabled: false,
      code: `async function run(ctx) { return { readable: ${checks.join(' && ')} }; }`,
    })).body;
    expect(hook.id).toBeDefined();

    // Writers run until told to stop; each acknowledged create is noted with when it was
    // sent and when it was answered, relative to the backup.
    let phase = 'before' as 'before' | 'during' | 'after';
    const acked: { id: string; phase: typeof phase; sent: typeof phase }[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const sent = phase;
        const res = await api('POST', '/v1/entities/employee', { firstName: `W${w}`, lastName: `N${i}`, email: `w${w}.n${i}@example.test` });
        expect(res.status).toBe(201);
        acked.push({ id: res.body.id, phase, sent });
      }
    };
    const writers = [1, 2, 3].map(writer);
    while (acked.length < 150) await new Promise((resolve) => setTimeout(resolve, 20));

    phase = 'during';
    const backup = await hookyard(['backup', copy, '--data-dir', live, '--master-key-out', keyCopy]);
    phase = 'after';
    const afterStart = acked.length;
    while (acked.length < afterStart + 30) await new Promise((resolve) => setTimeout(resolve, 20));
    stop = true;
    await Promise.all(writers);
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(/Backed up .* 3 secrets/);
    expect((fs.statSync(copy).mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(keyCopy).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readFileSync(keyCopy, 'utf8')).toBe(fs.readFileSync(path.join(live, 'master.key'), 'utf8'));

    // The copy is one snapshot: every entity in it has the event of its creation, committed with it.
    const db = new SQLite(copy, { readonly: true });
    const inCopy = new Set((db.prepare("select id from entities where type = 'employee'").all() as { id: string }[]).map((r) => r.id));
    const orphans = db.prepare('select count(*) as n from entities e where not exists (select 1 from events v where v.entity_id = e.id)').get() as { n: number };
    db.close();
    expect(orphans.n).toBe(0);
    const before = acked.filter((a) => a.phase === 'before');
    expect(before.filter((a) => !inCopy.has(a.id))).toEqual([]);
    expect(acked.filter((a) => a.sent === 'after' && inCopy.has(a.id))).toEqual([]);
    console.log(`[backup under load] ${before.length} writes acknowledged before the backup, ${acked.filter((a) => a.phase === 'during').length} during it (${[...inCopy].length - before.length} of them in the copy), ${acked.length - afterStart} after`);

    // Restore refuses the live folder (its serve holds it) …
    const intoLive = await hookyard(['restore', copy, '--data-dir', live, '--master-key', keyCopy]);
    expect(intoLive.code).toBe(1);
    expect(intoLive.out).toMatch(/in use by hookyard serve/);
    expect(await server.stop()).toBe(0);
    // … and, stopped, a folder that has a database; and a wrong master key.
    const intoFull = await hookyard(['restore', copy, '--data-dir', live, '--master-key', keyCopy]);
    expect(intoFull.code).toBe(1);
    expect(intoFull.out).toMatch(/has a database already/);
    const wrongKey = path.join(root, 'wrong.key');
    fs.writeFileSync(wrongKey, 'another-master-key-0123456789abcdef0123\n');
    const withWrongKey = await hookyard(['restore', copy, '--data-dir', restored, '--master-key', wrongKey]);
    expect(withWrongKey.code).toBe(2);
    expect(withWrongKey.out).toMatch(/does not decrypt 3 of the 3 secrets/);
    expect(fs.existsSync(path.join(restored, 'hookyard.db'))).toBe(false);

    const restore = await hookyard(['restore', copy, '--data-dir', restored, '--master-key', keyCopy]);
    expect(restore.code, restore.out).toBe(0);
    expect(restore.out).toMatch(/all 3 secrets decrypt/);

    const again = await startServe({ cwd: root, env, args: ['--data-dir', restored] });
    servers.push(again);
    const restoredApi = client(again);
    for (const { id } of before) expect((await restoredApi('GET', `/v1/entities/employee/${id}`)).status, id).toBe(200);
    const dry = await restoredApi('POST', `/v1/hooks/${hook.id}/test`, {});
    expect(dry.status).toBe(200);
    expect(dry.body.status).toBe('completed');
    expect(dry.body.logs.at(-1)).toMatchObject({ message: 'dry run: the hook returned', data: { readable: true } });
    expect(await again.stop()).toBe(0);
  }, 120_000);
});
