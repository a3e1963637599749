// Checks that a request comes from Hookyard with the standardwebhooks package (npm install standardwebhooks).
import { Webhook } from 'standardwebhooks';

/**
 * The parsed JSON of a signed call, or null when `body` (the raw request body) and `headers`
 * are not signed with `secret` ("whsec_…") or the timestamp is more than 5 minutes off.
 */
export function verifiedPayload(secret, headers, body) {
  try {
    return new Webhook(secret).verify(body, headers);
  } catch {
    return null;
  }
}
