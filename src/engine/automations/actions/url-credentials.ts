/**
 * The user name and password a URL carries (`https://user:password@host/`) are
 * credentials: what an action reports shows where it went, never them.
 */
import { createRedactor, type Redactor } from '../../../sandbox/index.js';

/** A URL part as typed, or as it was percent-encoded when it cannot be decoded. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * A redactor of `url`'s user name and password, shown as `[secret:<what> user]` and
 * `[secret:<what> password]`; one that changes nothing when the URL has neither.
 *
 * @example credentialsOf(new URL('smtp://me:pw@mail.test'), 'SMTP').text('pw refused') // → '[secret:SMTP password] refused'
 */
export function credentialsOf(url: URL, what: string): Redactor {
  return createRedactor({
    ...(url.username && { [`${what} user`]: decoded(url.username) }),
    ...(url.password && { [`${what} password`]: decoded(url.password) }),
  });
}
