/**
 * SSRF: every URL form that points inward is refused before any connection is tried.
 * No test here ever connects anywhere: DNS goes through an injected resolver and the
 * TLS connect function is a spy that records and refuses.
 */
import type tls from 'node:tls';
import { afterAll, describe, expect, test } from 'vitest';
import { MemoryKvStore } from '../../src/sandbox/index.js';
import type { EgressOptions } from '../../src/sandbox/index.js';
// The injected resolver and connect spy cannot cross to a sandbox process, so this suite
// runs the sandbox's engine in-process: the egress policy is the same code either way.
import { createIsolateSandbox as createSandbox } from '../../src/sandbox/isolate-sandbox.js';

const DNS: Record<string, string[]> = {
  'loopback.example.test': ['127.0.0.1'],
  'mixed.example.test': ['93.184.216.34', '10.1.2.3'],
  'mapped.example.test': ['::ffff:10.0.0.1'],
  'metadata.example.test': ['169.254.169.254'],
  'v6-local.example.test': ['::1'],
  'ula.example.test': ['fd12:3456::1'],
  'cgnat.example.test': ['100.64.1.1'],
};

const connects: string[] = [];
const lookups: string[] = [];
const spyConnect = ((options: tls.ConnectionOptions) => {
  connects.push(`${options.host}:${options.port}`);
  throw new Error('test: no connection is ever made');
}) as EgressOptions['tlsConnect'];

const sandbox = createSandbox({
  egress: {
    tlsConnect: spyConnect,
    lookup: async (host) => {
      lookups.push(host);
      const found = DNS[host];
      if (!found) throw new Error('ENOTFOUND');
      return found;
    },
  },
});
afterAll(() => sandbox.close());

async function attempt(url: string): Promise<{ code?: string; message?: string }> {
  const result = await sandbox.run({
    orgId: 'org-ssrf', hookId: 'ssrf', hookVersion: 1, type: 'push', kv: new MemoryKvStore(),
    code: 'async function run(ctx) { try { await ctx.http.get(ctx.params.url); return {}; } catch (e) { return { code: e.code, message: e.message }; } }',
    ctx: { params: { url } },
  });
  return result.value as { code?: string; message?: string };
}

const BLOCKED = [
  'https://127.0.0.1/',
  'https://127.0.0.1:8443/admin',
  'https://localhost/',
  'https://LOCALHOST./',
  'https://api.localhost/',
  'https://2130706433/',
  'https://0x7f000001/',
  'https://0177.0.0.1/',
  'https://0x7f.1/',
  'https://127.1/',
  'https://0/',
  'https://0.0.0.0/',
  'https://１２７.０.０.１/',
  'https://user:pass@127.0.0.1/',
  'https://[::1]/',
  'https://[::]/',
  'https://[0:0:0:0:0:0:0:1]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/',
  'https://[::127.0.0.1]/',
  'https://[::ffff:169.254.169.254]/',
  'https://[fe80::1]/',
  'https://[fc00::1]/',
  'https://[fd00:ec2::254]/',
  'https://[ff02::1]/',
  'https://[64:ff9b::7f00:1]/',
  'https://[2002:7f00:1::]/',
  'https://169.254.169.254/latest/meta-data/',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://100.100.100.200/',
  'https://192.0.0.192/',
  'https://10.0.0.1/',
  'https://172.16.0.1/',
  'https://172.31.255.255/',
  'https://192.168.1.1/',
  'https://100.64.0.1/',
  'https://224.0.0.1/',
  'https://255.255.255.255/',
  'https://240.0.0.1/',
  'https://198.18.0.1/',
  'https://192.0.2.1/',
];

const BLOCKED_BY_DNS = [
  'https://loopback.example.test/',
  'https://mixed.example.test/',
  'https://mapped.example.test/',
  'https://metadata.example.test/',
  'https://v6-local.example.test/',
  'https://ula.example.test/',
  'https://cgnat.example.test/',
];

const WRONG_SCHEME = ['http://example.org/', 'http://127.0.0.1/', 'ftp://example.org/', 'file:///etc/passwd', 'data:text/plain,hi', 'javascript:alert(1)', 'ws://example.org/'];

describe('SSRF protection', () => {
  test.each(BLOCKED)('blocks %s before connecting', async (url) => {
    const before = connects.length;
    expect(await attempt(url)).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(connects.length).toBe(before);
  });

  test.each(BLOCKED_BY_DNS)('blocks %s, whose name resolves inward, before connecting', async (url) => {
    const before = connects.length;
    expect(await attempt(url)).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(lookups).toContain(new URL(url).hostname);
    expect(connects.length).toBe(before);
  });

  test.each(WRONG_SCHEME)('refuses %s because only https is allowed', async (url) => {
    expect(await attempt(url)).toMatchObject({ code: 'PROTOCOL_NOT_ALLOWED' });
  });

  test('refuses a malformed URL', async () => {
    expect(await attempt('not a url')).toMatchObject({ code: 'INVALID_URL' });
  });

  test('connects to the address it checked, never resolving again (no DNS rebinding)', async () => {
    let calls = 0;
    const rebinding = createSandbox({
      egress: {
        tlsConnect: spyConnect,
        // A rebinding resolver: public for the check, loopback afterwards.
        lookup: async () => (++calls === 1 ? ['93.184.216.34'] : ['127.0.0.1']),
      },
    });
    try {
      const before = connects.length;
      const result = await rebinding.run({
        orgId: 'org-ssrf', hookId: 'rebind', hookVersion: 1, type: 'push', kv: new MemoryKvStore(),
        code: `async function run(ctx) {
          const codes = [];
          for (let i = 0; i < 2; i++) { try { await ctx.http.get('https://rebind.example.test/'); } catch (e) { codes.push(e.code); } }
          return codes;
        }`,
      });
      // The first socket went to the checked public address (the spy refused it); the
      // second resolution pointed inward and was blocked without a socket.
      expect(connects.slice(before)).toEqual(['93.184.216.34:443']);
      expect(result.value).toEqual(['CONNECTION_FAILED', 'BLOCKED_ADDRESS']);
    } finally {
      await rebinding.close();
    }
  });

  test('names a failed resolution as DNS_FAILED', async () => {
    expect(await attempt('https://unknown.example.test/')).toMatchObject({ code: 'DNS_FAILED' });
  });
});
