/**
 * Verifying a webhook before any code runs: the schemes an inbound hook's `verify` may
 * name, each a function of the request's headers and exact body, in a table. Signatures
 * are compared in constant time; timestamps must be within five minutes either way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { issue, type FieldIssue } from './field-issues.js';

/** A `verify` setting as stored and shown: everything but the secret. */
export type VerifySettings =
  | { readonly scheme: 'standard-webhooks' }
  | { readonly scheme: 'stripe' }
  | {
      readonly scheme: 'hmac';
      /** The header that carries the signature, e.g. `x-hub-signature-256`. */
      readonly header: string;
      readonly algorithm: 'sha256' | 'sha1';
      readonly encoding: 'hex' | 'base64';
      /** Text before the signature in the header, e.g. `sha256=`. */
      readonly prefix?: string;
    };

export type VerifyScheme = VerifySettings['scheme'];
export const VERIFY_SCHEMES: readonly VerifyScheme[] = Object.freeze(['standard-webhooks', 'hmac', 'stripe']);
/** The hash and the signature encoding the `hmac` scheme may use. */
export const HMAC_ALGORITHMS = Object.freeze(['sha256', 'sha1'] as const);
export const HMAC_ENCODINGS = Object.freeze(['hex', 'base64'] as const);

/** Longest values a `verify` object given on save may hold, in characters. */
export const VERIFY_LIMITS = Object.freeze({ secret: 512, header: 100, prefix: 50 });

const HMAC_SETTINGS = ['header', 'algorithm', 'encoding', 'prefix'] as const;

/**
 * The rules between a `verify` object's scheme and its other settings: `hmac` needs
 * `header`, `algorithm` and `encoding`; the other schemes take none of the hmac settings.
 * Paths are relative to the `verify` object (`header`).
 */
export function verifySchemeIssues(verify: { readonly scheme: string } & Readonly<Partial<Record<(typeof HMAC_SETTINGS)[number], unknown>>>): FieldIssue[] {
  if (verify.scheme === 'hmac') return HMAC_SETTINGS.filter((key) => key !== 'prefix' && !verify[key]).map((key) => issue(key, 'is required for the hmac scheme'));
  return HMAC_SETTINGS.filter((key) => verify[key] !== undefined).map((key) => issue(key, `does not apply to the ${verify.scheme} scheme`));
}

/** How long a verified message id is remembered: a replay within it is answered without running again. */
export const REPLAY_WINDOW_MS = 10 * 60 * 1000;

/** How far a signed timestamp may be from now, either way. */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

/** What a verifier looks at. */
export interface SignedRequest {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Buffer;
  /** Unix seconds. */
  readonly now: number;
}

/** The outcome: passed (with the message id, for replay protection), or why not. */
export type Verdict = { readonly ok: true; readonly messageId?: string } | { readonly ok: false; readonly reason: string };

type Verifier = (settings: VerifySettings, secret: string, request: SignedRequest) => Verdict;

const fail = (reason: string): Verdict => ({ ok: false, reason });

/** Constant-time equality of two strings (of any lengths). */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same.
  return timingSafeEqual(x, x.length === y.length ? y : x) && x.length === y.length;
}

function timely(timestamp: string | undefined, now: number): string | undefined {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'the timestamp is missing or not a number of seconds';
  if (Math.abs(now - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) return 'the timestamp is more than 5 minutes away from now';
  return undefined;
}

const standardWebhooks: Verifier = (_settings, secret, { headers, rawBody, now }) => {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !signatures) return fail('webhook-id, webhook-timestamp and webhook-signature headers are required');
  const late = timely(timestamp, now);
  if (late) return fail(late);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest('base64');
  // Several signatures, space-separated, for secret rotation: any one of them passes.
  const match = signatures.split(' ').some((part) => part.startsWith('v1,') && sameSignature(part.slice(3), expected));
  return match ? { ok: true, messageId: id } : fail('no signature in webhook-signature matches');
};

const hmac: Verifier = (settings, secret, { headers, rawBody }) => {
  if (settings.scheme !== 'hmac') return fail('wrong scheme');
  const value = headers[settings.header.toLowerCase()];
  if (!value) return fail(`the ${settings.header} header is missing`);
  const prefix = settings.prefix ?? '';
  if (!value.startsWith(prefix)) return fail(`the ${settings.header} header does not start with "${prefix}"`);
  const expected = createHmac(settings.algorithm, secret).update(rawBody).digest(settings.encoding);
  const given = value.slice(prefix.length);
  return sameSignature(settings.encoding === 'hex' ? given.toLowerCase() : given, expected) ? { ok: true } : fail(`the ${settings.header} signature does not match`);
};

const stripe: Verifier = (_settings, secret, { headers, rawBody, now }) => {
  const header = headers['stripe-signature'];
  if (!header) return fail('the Stripe-Signature header is missing');
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string | undefined]);
  const timestamp = parts.find(([k]) => k === 't')?.[1];
  const late = timely(timestamp, now);
  if (late) return fail(late);
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  const match = parts.some(([k, v]) => k === 'v1' && v !== undefined && sameSignature(v, expected));
  return match ? { ok: true } : fail('no v1 signature in Stripe-Signature matches');
};

/** The verifiers by scheme. */
export const VERIFIERS: Readonly<Record<VerifyScheme, Verifier>> = Object.freeze({ 'standard-webhooks': standardWebhooks, hmac, stripe });

/** Checks `request` under `settings` with `secret`. */
export function verifyWebhook(settings: VerifySettings, secret: string, request: SignedRequest): Verdict {
  return VERIFIERS[settings.scheme](settings, secret, request);
}
