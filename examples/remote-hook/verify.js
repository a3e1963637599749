// Checks that a request comes from Hookyard: Standard Webhooks signatures, node:crypto only.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Whether `body` (the raw request body) and `headers` are signed with `secret` ("whsec_…"). */
export function verifyHookyardCall(secret, headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  // A call older or newer than 5 minutes is refused, so a recorded one cannot be replayed later.
  if (!id || !/^\d+$/.test(timestamp ?? '') || Math.abs(Date.now() / 1000 - Number(timestamp)) > 5 * 60) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  // Space-separated "v1,<base64>" signatures: one per valid secret (two while a secret is rotated).
  return String(headers['webhook-signature'] ?? '').split(' ').some((signature) => {
    const given = Buffer.from(signature.startsWith('v1,') ? signature.slice(3) : '', 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
