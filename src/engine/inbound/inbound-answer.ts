/**
 * The answers of inbound calls: the API-shaped errors, the one 404 of every route that
 * is not there, and the check of the reply a hook or a `respond` action asks for.
 */

/** The answer to send. */
export interface InboundAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** A JSON answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): InboundAnswer => ({ status, headers, body });
/** An error answer in the API's shape. */
export const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) => json(status, { error: { code, message } }, headers);
// The same answer for an unknown organisation, path or method, and a disabled hook: routes cannot be probed.
export const NOT_FOUND = error(404, 'HY_NOT_FOUND', 'no inbound route here');
// Headers of a hook's response that belong to the transport, not to the hook.
const TRANSPORT_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te']);

/** The hook's `response` (or a `respond` action's reply), checked: a status from 200 to 599, string headers, any body. */
export function readResponse(response: unknown): InboundAnswer | string {
  if (response === undefined || response === null) return json(200, { ok: true });
  if (typeof response !== 'object' || Array.isArray(response)) return 'response must be an object { status?, headers?, body? }';
  const { status = 200, headers = {}, body = { ok: true } } = response as { status?: unknown; headers?: unknown; body?: unknown };
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) return `response.status must be an integer from 200 to 599, got ${JSON.stringify(status)}`;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return 'response.headers must be an object of strings';
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') return `response.headers.${name} must be a string`;
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || /[\r\n]/.test(value)) return `response.headers.${name} is not a valid header`;
    if (!TRANSPORT_HEADERS.has(name.toLowerCase())) sent[name.toLowerCase()] = value;
  }
  return { status, headers: sent, body };
}
