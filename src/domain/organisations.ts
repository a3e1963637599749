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

/** An organisation as hooks and automations see it (`ctx.org`, `{{org.*}}`): who it is, nothing of its bookkeeping. */
// A type, not an interface, so it passes as JSON (hook ctx data) without a cast.
export type OrgInfo = {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly timeZone: string;
};

/** The {@link OrgInfo} of an organisation record (a copy without its other fields). */
export function orgInfo(org: OrgInfo): OrgInfo {
  return { id: org.id, slug: org.slug, name: org.name, timeZone: org.timeZone };
}
