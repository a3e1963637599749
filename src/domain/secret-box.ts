/**
 * Encryption of integration secrets at rest: AES-256-GCM with a key derived from the
 * master key. Each value is bound to where it belongs (associated data such as
 * `integrationId/name`), so a ciphertext copied onto another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { HookyardError } from './errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  /** Encrypts `plaintext`; the result is `v1:` + base64(iv | tag | ciphertext). */
  seal(plaintext: string, associatedData: string): string;
  /** Decrypts what {@link SecretBox.seal} made for the same associated data. */
  open(sealed: string, associatedData: string): string;
}

/** A box keyed by `masterKey` (at least 32 characters or bytes of key material). */
export function createSecretBox(masterKey: string | Buffer): SecretBox {
  const material = typeof masterKey === 'string' ? Buffer.from(masterKey, 'utf8') : masterKey;
  if (material.length < 32) {
    throw new HookyardError('HY_BAD_REQUEST', 'the master key must have at least 32 characters (e.g. 32 random bytes, base64)');
  }
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'hookyard secrets v1', 32));
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
    },
    open(sealed, associatedData) {
      const [version, payload] = sealed.split(':', 2);
      if (version !== VERSION || payload === undefined) throw new HookyardError('HY_INTERNAL', 'stored secret has an unknown format');
      const bytes = Buffer.from(payload, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new HookyardError('HY_INTERNAL', 'a stored secret could not be decrypted: was the master key changed?', { cause });
      }
    },
  };
}
