/**
 * Egress policy for `ctx.http` (docs/security.md, "Egress"): HTTPS only, our own DNS resolution
 * with every address checked, the socket pinned to the checked address, redirects
 * returned rather than followed, and response bodies cut at their size limit while
 * streaming. Tests reach loopback only through the explicit settings below.
 */
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import ipaddr from 'ipaddr.js';
import { Agent, request as undiciRequest } from 'undici';
import type { buildConnector } from 'undici';
import { HookyardError } from '../domain/errors.js';

/** A `HOST:PORT:ADDR:PORT2` rule, as curl's `--connect-to`: connect there instead. */
export interface ConnectTo {
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly toPort: number;
}

/** A `HOST:PORT:ADDR` rule, as curl's `--resolve`: use this address for HOST:PORT. */
export interface ResolveRule {
  readonly host: string;
  readonly port: number;
  readonly address: string;
}

/** Resolves a host name to its addresses (IPv4 or IPv6 text). */
export type Lookup = (hostname: string) => Promise<readonly string[]>;

/** Settings of the egress policy. Everything but the defaults is for development and tests. */
export interface EgressOptions {
  /** Lift the private-address block (`--allow-private`). Never on by default. */
  readonly allowPrivate?: boolean;
  readonly connectTo?: readonly ConnectTo[];
  readonly resolve?: readonly ResolveRule[];
  /** Extra CA certificate(s), PEM, trusted besides the system's. */
  readonly ca?: string;
  /** DNS resolution; the system resolver by default. Tests inject one (there is no DNS in tests). */
  readonly lookup?: Lookup;
  /** Opens the TLS socket; injectable so tests can prove no connection was attempted. */
  readonly tlsConnect?: (options: tls.ConnectionOptions) => tls.TLSSocket;
}

/** Codes of {@link EgressError}, surfaced to hooks as `HttpError.code`. */
export type EgressErrorCode =
  | 'INVALID_URL'
  | 'PROTOCOL_NOT_ALLOWED'
  | 'BLOCKED_ADDRESS'
  | 'DNS_FAILED'
  | 'CONNECTION_FAILED'
  | 'TLS_FAILED'
  | 'TIMEOUT'
  | 'RESPONSE_TOO_LARGE';

/** A request refused by the policy or failed on the network. */
export class EgressError extends Error {
  readonly code: EgressErrorCode;
  constructor(code: EgressErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpError';
    this.code = code;
  }
}

/** One outbound request; `headers` must not carry a User-Agent (it is fixed). */
export interface EgressRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  /** The body is cut and the request fails with `RESPONSE_TOO_LARGE` past this many bytes. */
  readonly maxResponseBytes: number;
}

export interface EgressResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The fixed User-Agent of every hook request (docs/hooks.md, "Sandbox rules"). */
export const USER_AGENT = 'Hookyard-Hook/1.0';

const BLOCKED_NAMES = /^(localhost|.*\.localhost|metadata|metadata\.google\.internal|metadata\.goog|instance-data|instance-data\.ec2\.internal)$/;

const IPV6_RESERVED_ZERO = ipaddr.parseCIDR('::/8');

/**
 * Why `address` may not be reached, or `undefined` when it is an ordinary public
 * unicast address. IPv4-mapped and -compatible IPv6 forms are refused outright.
 */
export function blockedRange(address: string): string | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'invalid';
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return 'ipv4Mapped';
    if (v6.match(IPV6_RESERVED_ZERO)) return v6.range() === 'unicast' ? 'ipv4Compatible' : v6.range();
  }
  const range = ip.range();
  return range === 'unicast' ? undefined : range;
}

/** Parses one `HOST:PORT:ADDR:PORT2` rule; IPv6 addresses go in brackets. */
export function parseConnectTo(rule: string): ConnectTo {
  const parts = splitRule(rule, 4, 'connect-to', 'HOST:PORT:ADDR:PORT2');
  return Object.freeze({ host: parts[0].toLowerCase(), port: parsePort(parts[1]), address: parts[2], toPort: parsePort(parts[3]) });
}

/** Parses one `HOST:PORT:ADDR` rule; IPv6 addresses go in brackets. */
export function parseResolve(rule: string): ResolveRule {
  const parts = splitRule(rule, 3, 'resolve', 'HOST:PORT:ADDR');
  if (!net.isIP(parts[2])) throw new HookyardError('HY_BAD_REQUEST', `resolve rule "${rule}": ${parts[2]} is not an IP address`);
  return Object.freeze({ host: parts[0].toLowerCase(), port: parsePort(parts[1]), address: parts[2] });
}

function splitRule(rule: string, count: number, name: string, shape: string): string[] {
  const parts = rule.trim().match(/\[[^\]]+\]|[^:[\]]+/g) ?? [];
  if (parts.length !== count || parts.join(':') !== rule.trim()) {
    throw new HookyardError('HY_BAD_REQUEST', `${name} rule "${rule}" must look like ${shape}`);
  }
  return parts.map((p) => p.replace(/^\[|\]$/g, ''));
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new HookyardError('HY_BAD_REQUEST', `port must be a number from 1 to 65535, got "${value}"`);
  }
  return port;
}

const systemLookup: Lookup = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** Sends hook requests under the policy. One instance serves every run; `close()` when done. */
export class Egress {
  readonly #options: EgressOptions;
  readonly #agent: Agent;
  /** Built once: a context with extra CAs costs milliseconds to build (it parses every root). */
  readonly #secureContext: tls.SecureContext | undefined;

  constructor(options: EgressOptions = {}) {
    this.#options = options;
    this.#secureContext = options.ca ? tls.createSecureContext({ ca: [...tls.rootCertificates, options.ca] }) : undefined;
    this.#agent = new Agent({ connect: (opts, cb) => void this.#connect(opts, cb), keepAliveTimeout: 4_000 });
  }

  /** Checks the URL (scheme and literal host) without touching the network. */
  preflight(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new EgressError('INVALID_URL', `Invalid URL: ${url}`);
    }
    if (parsed.protocol !== 'https:') {
      throw new EgressError('PROTOCOL_NOT_ALLOWED', `Only https URLs are allowed, not ${parsed.protocol.slice(0, -1)}`);
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    if (!this.#options.allowPrivate) {
      if (BLOCKED_NAMES.test(host)) throw new EgressError('BLOCKED_ADDRESS', `Host ${host} is not reachable from hooks`);
      if (net.isIP(host)) this.#check(host, host);
    }
    return parsed;
  }

  /** Sends one request; redirects come back as they are. */
  async send(req: EgressRequest): Promise<EgressResponse> {
    const url = this.preflight(req.url);
    let res;
    try {
      res = await undiciRequest(url, {
        method: req.method as 'GET',
        headers: { ...req.headers, 'user-agent': USER_AGENT },
        body: req.body,
        dispatcher: this.#agent,
        signal: req.signal,
      });
    } catch (err) {
      throw networkError(err, req.signal);
    }
    const declared = Number(res.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      if (declared > req.maxResponseBytes) throw tooLarge(req.maxResponseBytes);
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > req.maxResponseBytes) throw tooLarge(req.maxResponseBytes);
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      res.body.destroy();
      throw err instanceof EgressError ? err : networkError(err, req.signal);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: res.statusCode, headers, body: Buffer.concat(chunks, size) };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** Resolves, checks every address and connects to the checked one (no DNS rebinding). */
  async #connect(opts: buildConnector.Options, cb: buildConnector.Callback): Promise<void> {
    try {
      const host = opts.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      const port = Number(opts.port) || 443;
      const { address, toPort } = await this.#target(host, port);
      const connect = this.#options.tlsConnect ?? tls.connect;
      const socket = connect({
        host: address,
        port: toPort,
        servername: net.isIP(host) ? undefined : host,
        secureContext: this.#secureContext,
        ALPNProtocols: ['http/1.1'],
      });
      socket.setTimeout(10_000, () => socket.destroy(new EgressError('TIMEOUT', `Connecting to ${host} timed out`)));
      socket
        .once('secureConnect', () => {
          socket.setTimeout(0);
          cb(null, socket);
        })
        .once('error', (err) => cb(err, null));
    } catch (err) {
      cb(err as Error, null);
    }
  }

  async #target(host: string, port: number): Promise<{ address: string; toPort: number }> {
    const connectTo = this.#options.connectTo?.find((r) => r.host === host && r.port === port);
    if (connectTo) return { address: this.#check(host, connectTo.address), toPort: connectTo.toPort };
    const rule = this.#options.resolve?.find((r) => r.host === host && r.port === port);
    if (rule) return { address: this.#check(host, rule.address), toPort: port };
    if (net.isIP(host)) return { address: this.#check(host, host), toPort: port };
    let addresses: readonly string[];
    try {
      addresses = await (this.#options.lookup ?? systemLookup)(host);
    } catch (err) {
      throw new EgressError('DNS_FAILED', `Could not resolve ${host}`, { cause: err });
    }
    if (addresses.length === 0) throw new EgressError('DNS_FAILED', `Could not resolve ${host}`);
    // Every address must pass: a name that also points inward is refused as a whole.
    for (const address of addresses) this.#check(host, address);
    return { address: addresses[0], toPort: port };
  }

  #check(host: string, address: string): string {
    if (!net.isIP(address)) throw new EgressError('BLOCKED_ADDRESS', `Host ${host} resolved to an invalid address`);
    if (this.#options.allowPrivate) return address;
    const range = blockedRange(address);
    if (range) throw new EgressError('BLOCKED_ADDRESS', `Host ${host} resolves to a ${range} address, which hooks may not reach`);
    return address;
  }
}

function tooLarge(max: number): EgressError {
  return new EgressError('RESPONSE_TOO_LARGE', `The response body is larger than ${max} bytes`);
}

function networkError(err: unknown, signal: AbortSignal): EgressError {
  if (err instanceof EgressError) return err;
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof EgressError) return cause;
  if (signal.aborted) return new EgressError('TIMEOUT', 'The request timed out', { cause: err });
  const code = String((err as { code?: unknown })?.code ?? '');
  const message = err instanceof Error ? err.message : String(err);
  if (/TIMEOUT/.test(code)) return new EgressError('TIMEOUT', 'The request timed out', { cause: err });
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i.test(code)) {
    return new EgressError('TLS_FAILED', `TLS handshake failed: ${message}`, { cause: err });
  }
  return new EgressError('CONNECTION_FAILED', `Connection failed: ${message}`, { cause: err });
}
