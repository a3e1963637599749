/**
 * API keys: `hyk_` followed by 43 URL-safe random characters (32 bytes). The prefix
 * lets secret scanners spot a leaked key; only its SHA-256 is ever stored.
 */
import { createHash, randomBytes } from 'node:crypto';

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Readonly<Record<Role, number>> = { viewer: 0, editor: 1, admin: 2 };

/** Whether `role` may do what `required` may. */
export function roleAllows(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export const KEY_PREFIX = 'hyk_';

/** A new random key; show it once, store {@link hashApiKey} of it. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a key. SHA-256 is right here: keys have 256 bits of entropy. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether a string has the shape of a Hookyard key (cheap check before any lookup). */
export function looksLikeApiKey(value: string): boolean {
  return /^hyk_[A-Za-z0-9_-]{32,}$/.test(value);
}

/** The part of a key that is safe to display: `hyk_AbCd…`. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}
