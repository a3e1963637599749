import { randomUUID } from 'node:crypto';

/** A new id for any stored object. */
export function newId(): string {
  return randomUUID();
}
