import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Random bytes for ids, drawn 4 KiB (256 ids) at a time. uuid draws 256 bytes (16 ids) per
 * `randomFillSync`, and under a first sync's load (three ids a record) those calls were 5 %
 * of the server's main thread; handing uuid its random bytes makes it skip its own state,
 * so the monotonic sequence is kept here.
 */
const pool = new Uint8Array(16 * 256);
let used = pool.length;
/** One id's 16 bytes, copied out of the pool (cheaper than a `subarray` view per id). */
const random = new Uint8Array(16);

/** The last id's millisecond and sequence, as uuid's own v7 keeps them (RFC 9562, method 1). */
let lastMs = -Infinity;
let seq = 0;

/** The id's 16 bytes as uuid lays them out, and its text, dashes in place, written over each time. */
const bytes = new Uint8Array(16);
const text = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
/** Where each byte's two hex digits go in {@link text}. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A new id for any stored object: a UUIDv7, whose leading bits are the creation time.
 * Time-ordered keys append to the end of B-tree indexes instead of landing at random
 * places; a PULL sync's first run writes three rows per record and measured 3x faster
 * on SQLite than with random (v4) UUIDs. Ids of one process increase strictly: within a
 * millisecond the 32-bit sequence counts up from a random start (and, were it to wrap,
 * moves the time on by one millisecond).
 */
export function newId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  for (let i = 0; i < 16; i++) random[i] = pool[used + i]!;
  used += 16;
  const now = Date.now();
  if (now > lastMs) {
    seq = (random[6]! << 23) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    lastMs = now;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  uuidv7({ msecs: lastMs, seq, random }, bytes);
  // The text written here rather than by uuid's stringify, which joins 21 pieces and lower-cases
  // the result: about 700 bytes of garbage an id, and a first sync makes three ids a record.
  for (let i = 0; i < 16; i++) {
    text[AT[i]!] = HEX[bytes[i]! >> 4]!;
    text[AT[i]! + 1] = HEX[bytes[i]! & 15]!;
  }
  return text.toString('latin1', 0, 36);
}
