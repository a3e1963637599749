/** Rules for organisation slugs and time zones. */
import { HookyardError } from './errors.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Throws unless `slug` is 1–63 lower-case letters, digits and inner hyphens. */
export function assertSlug(slug: string): void {
  if (!SLUG.test(slug)) {
    throw new HookyardError('HY_VALIDATION', `organisation slug "${slug}" must be 1-63 lower-case letters, digits or inner hyphens`);
  }
}

/** Whether `zone` is an IANA time zone this Node.js knows (e.g. "Europe/Berlin"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function assertTimeZone(zone: string): void {
  if (!isTimeZone(zone)) throw new HookyardError('HY_VALIDATION', `time zone "${zone}" is not an IANA time zone such as "Europe/Berlin"`);
}
