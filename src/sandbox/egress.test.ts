import { describe, expect, test } from 'vitest';
import { Egress, blockedRange, parseConnectTo, parseResolve } from './egress.js';

describe('blockedRange', () => {
  test.each([
    ['127.0.0.1', 'loopback'], ['10.1.1.1', 'private'], ['169.254.169.254', 'linkLocal'], ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'], ['224.0.0.1', 'multicast'], ['240.0.0.1', 'reserved'], ['::1', 'loopback'], ['fd00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'], ['::ffff:8.8.8.8', 'ipv4Mapped'], ['::808:808', 'ipv4Compatible'], ['::8.8.8.8', 'ipv4Mapped'], ['nonsense', 'invalid'],
  ])('names %s as %s', (address, range) => {
    expect(blockedRange(address)).toBe(range);
  });

  test.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946'])('lets public %s through', (address) => {
    expect(blockedRange(address)).toBeUndefined();
  });
});

describe('egress rules', () => {
  test('parses connect-to and resolve rules, IPv6 in brackets', () => {
    expect(parseConnectTo('API.example.org:443:127.0.0.1:8443')).toEqual({ host: 'api.example.org', port: 443, address: '127.0.0.1', toPort: 8443 });
    expect(parseConnectTo('a.test:443:[::1]:9000')).toEqual({ host: 'a.test', port: 443, address: '::1', toPort: 9000 });
    expect(parseResolve('a.test:443:10.0.0.5')).toEqual({ host: 'a.test', port: 443, address: '10.0.0.5' });
  });

  test.each(['a.test:443:127.0.0.1', 'a.test:x:127.0.0.1:1', 'a.test:443:127.0.0.1:70000', ''])('refuses the connect-to rule "%s"', (rule) => {
    expect(() => parseConnectTo(rule)).toThrow(/connect-to rule|port/);
  });

  test('refuses a resolve rule whose address is not an IP', () => {
    expect(() => parseResolve('a.test:443:b.test')).toThrow(/not an IP address/);
  });

  test('checks scheme and literal addresses without touching the network', async () => {
    const egress = new Egress({ lookup: async () => { throw new Error('no DNS in preflight'); } });
    try {
      expect(egress.preflight('https://example.org/x').hostname).toBe('example.org');
      expect(() => egress.preflight('http://example.org/')).toThrow(expect.objectContaining({ code: 'PROTOCOL_NOT_ALLOWED' }));
      expect(() => egress.preflight('https://[::1]/')).toThrow(expect.objectContaining({ code: 'BLOCKED_ADDRESS' }));
      expect(() => egress.preflight('https://::/')).toThrow(expect.objectContaining({ code: 'INVALID_URL' }));
    } finally {
      await egress.close();
    }
  });

  test('lets loopback through only when private addresses are allowed', async () => {
    const egress = new Egress({ allowPrivate: true });
    try {
      expect(egress.preflight('https://127.0.0.1/').hostname).toBe('127.0.0.1');
    } finally {
      await egress.close();
    }
  });
});
