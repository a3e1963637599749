import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.js';

describe('secret box', () => {
  const box = createSecretBox('k'.repeat(32));

  it('round-trips a value and never stores it in clear', () => {
    const sealed = box.seal('s3cr3t-token', 'int-1/token');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('s3cr3t-token');
    expect(Buffer.from(sealed.slice(3), 'base64').toString('latin1')).not.toContain('s3cr3t');
    expect(box.open(sealed, 'int-1/token')).toBe('s3cr3t-token');
  });

  it('uses a fresh IV for every seal', () => {
    expect(box.seal('same', 'a')).not.toBe(box.seal('same', 'a'));
  });

  it('refuses a ciphertext moved to another row', () => {
    const sealed = box.seal('value', 'int-1/token');
    expect(() => box.open(sealed, 'int-2/token')).toThrow(/could not be decrypted/);
  });

  it('refuses to open with another master key', () => {
    const sealed = box.seal('value', 'x');
    expect(() => createSecretBox('m'.repeat(32)).open(sealed, 'x')).toThrow(/master key/);
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal('value', 'x');
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] ^= 1;
    expect(() => box.open(`v1:${bytes.toString('base64')}`, 'x')).toThrow();
  });

  it('refuses a master key that is too short', () => {
    expect(() => createSecretBox('short')).toThrow(/at least 32/);
  });
});
