/**
 * JSON text for a column, refusing what could not be read back as it was given (see
 * src/domain/json-input.ts). The API refuses such input before it gets here; this is
 * the store's own guard, so that nothing unreadable — a value too deep to serialise
 * again, a string the database would change — is ever written, whoever the caller.
 */
import { jsonInputError } from '../domain/json-input.js';

/** `JSON.stringify(value)`, or a 400 naming the first unacceptable place under `field`. */
export function jsonColumn(value: unknown, field: string): string {
  const refused = jsonInputError(value, field);
  if (refused) throw refused;
  return JSON.stringify(value);
}
