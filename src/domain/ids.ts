import { v7 as uuidv7 } from 'uuid';

/**
 * A new id for any stored object: a UUIDv7, whose leading bits are the creation time.
 * Time-ordered keys append to the end of B-tree indexes instead of landing at random
 * places; a PULL sync's first run writes three rows per record and measured 3x faster
 * on SQLite than with random (v4) UUIDs.
 */
export function newId(): string {
  return uuidv7();
}
