/**
 * `send_email` (`to`, `cc?`, `subject`, `text`, `html?`): one message through the SMTP
 * server of `HOOKYARD_SMTP_URL` (nodemailer; STARTTLS when the server offers it on
 * `smtp://`, TLS from the start on `smtps://`). The URL's user name and password are
 * credentials: they are redacted from every error the action raises, and nothing else it
 * reports (its response, its metrics) carries them.
 */
import { HookyardError, coerceError } from '../../../domain/errors.js';
import { issue } from '../../../domain/field-issues.js';
import type { Redactor } from '../../../sandbox/index.js';
import type { MailSettings } from '../../deps.js';
import type { RunMetrics } from '../../run-metrics.js';
import type { ActionDefinition } from './action.js';
import { checkParams, isTemplated, ofKind, renderedParams, type CheckStage, type ParamRule } from './params.js';
import { credentialsOf } from './url-credentials.js';

/** The longest a send may take, whatever time the run has left. */
export const SMTP_TIMEOUT_MS = 30_000;

/** The params of `send_email`, rendered. */
export interface SendEmailParams {
  readonly to: string | readonly string[];
  readonly cc?: string | readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly [key: string]: unknown;
}

/** What `actions.NAME.response` holds: the server's message id and which recipients it took. */
export interface SentEmail {
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
}

// A plain check that catches typing slips (no @, spaces); the server has the last word.
const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;

function addresses(value: unknown, path: string, stage: CheckStage) {
  const list = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length === 0) return [issue(path, 'must name at least one address')];
  return list.flatMap((item, i) => {
    const at = Array.isArray(value) ? `${path}/${i}` : path;
    const wrong = ofKind(item, at, ['string'], stage);
    if (wrong.length > 0 || isTemplated(item, stage)) return wrong;
    return ADDRESS.test((item as string).trim()) ? [] : [issue(at, `must be an email address like name@example.com; got "${item as string}"`)];
  });
}

const RULES: Readonly<Record<string, ParamRule>> = {
  to: { required: true, kinds: ['string', 'array'], check: addresses },
  cc: { kinds: ['string', 'array'], check: addresses },
  subject: { required: true, kinds: ['string'] },
  text: { required: true, kinds: ['string'] },
  html: { kinds: ['string'] },
};

/** The SMTP URL, checked; its credentials' redactor. */
function smtpServer(mail: MailSettings | undefined): { url: URL; redactor: Redactor } {
  const text = mail?.smtpUrl;
  if (!text) throw new HookyardError('HY_UNAVAILABLE', 'send_email needs an SMTP server, and none is configured: set HOOKYARD_SMTP_URL');
  // The URL itself is never quoted: it holds the credentials.
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || url.hostname === '') {
    throw new HookyardError('HY_UNAVAILABLE', 'send_email cannot send: HOOKYARD_SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465');
  }
  return { url, redactor: credentialsOf(url, 'SMTP') };
}

const list = (value: string | readonly string[] | undefined) => (value === undefined ? undefined : typeof value === 'string' ? [value] : [...value]);
const addressText = (items: readonly unknown[] | undefined) => (items ?? []).map((a) => (typeof a === 'string' ? a : String((a as { address?: unknown })?.address ?? a)));

/**
 * Sends one message with `mail`'s server, within `signal` and {@link SMTP_TIMEOUT_MS},
 * and counts it in `metrics`. Errors carry the server's words with the credentials redacted.
 */
async function sendMail(mail: MailSettings | undefined, params: SendEmailParams, signal: AbortSignal, metrics?: RunMetrics): Promise<SentEmail> {
  const { url, redactor } = smtpServer(mail);
  // Loaded on first use: most servers never send mail, and nodemailer costs several MB of
  // memory in every `hookyard serve` that loads it at start.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    url: url.href,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    // No logger: nodemailer's would print the AUTH exchange.
    logger: false,
  });
  try {
    const info = await transport.sendMail({
      from: mail?.from ?? `hookyard@${url.hostname}`,
      to: list(params.to),
      ...(params.cc !== undefined && { cc: list(params.cc) }),
      subject: params.subject,
      text: params.text,
      ...(params.html !== undefined && { html: params.html }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(SMTP_TIMEOUT_MS)]),
    });
    metrics?.emailSent?.('sent');
    return { messageId: String(info.messageId), accepted: addressText(info.accepted), rejected: addressText(info.rejected) };
  } catch (thrown) {
    metrics?.emailSent?.('failed');
    const e = coerceError(thrown);
    // Only the message is kept (redacted): the error object holds the transport's options, credentials included.
    throw new HookyardError('HY_BAD_GATEWAY', `sending the email failed: ${redactor.text(e.message)}`);
  } finally {
    transport.close();
  }
}

const sendEmail: ActionDefinition<SendEmailParams> = {
  type: 'send_email',
  validate: (params) => checkParams(params, RULES, 'saved'),
  async run(params, ctx) {
    const sent = await sendMail(ctx.deps.mail, renderedParams<SendEmailParams>(params, RULES), ctx.signal, ctx.deps.metrics);
    return { response: sent };
  },
};

export default sendEmail;
