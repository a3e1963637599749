/**
 * Types of the `ctx` object Hookyard hands to hooks (docs/hooks.md, "The ctx object"). Use them in a
 * TypeScript hook, or in JavaScript with JSDoc:
 *
 * ```ts
 * import type { PullCtx, PullResult } from 'hookyard';
 * export async function run(ctx: PullCtx): Promise<PullResult> { … }
 * ```
 * Everything in `ctx` is a plain JSON copy: changing it changes nothing outside the hook.
 */
declare module 'hookyard' {
  export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
  export type JsonObject = { [key: string]: JsonValue };

  export type HookType = 'pull' | 'push' | 'pre' | 'post' | 'inbound';
  export type EntityType = 'employee' | 'vacancy' | 'contractor' | 'project' | 'assignment';

  /** Options of `ctx.http` calls. */
  export interface HttpOptions {
    headers?: Record<string, string | number | boolean>;
    /** Appended to the URL's query; arrays repeat the name. */
    query?: Record<string, string | number | boolean | Array<string | number | boolean> | null | undefined>;
    /** Cut off after this many ms (never later than the run's own time limit). */
    timeoutMs?: number;
  }

  export interface HttpRequest extends HttpOptions {
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | Lowercase<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'>;
    url: string | URL;
    /** An object is sent as JSON (with `content-type: application/json`), a string as it is. */
    body?: JsonValue | string;
  }

  export interface HttpResponse<B = any> {
    status: number;
    /** Lower-case names; repeated headers are joined with ", ". */
    headers: Record<string, string>;
    /** Parsed JSON when the response says JSON, else text. */
    body: B;
  }

  /** Codes of {@link HttpError}. */
  export type HttpErrorCode =
    | 'INVALID_URL'
    | 'PROTOCOL_NOT_ALLOWED'
    | 'BLOCKED_ADDRESS'
    | 'DNS_FAILED'
    | 'CONNECTION_FAILED'
    | 'TLS_FAILED'
    | 'TIMEOUT';

  /**
   * Thrown by `ctx.http` for network and policy errors (never for a non-2xx status).
   * Check `err.name === 'HttpError'` and `err.code`.
   */
  export interface HttpError extends Error {
    name: 'HttpError';
    code: HttpErrorCode;
  }

  /**
   * Outbound HTTPS. Only https URLs to public addresses; redirects are returned, not
   * followed; `User-Agent: Hookyard-Hook/1.0` is fixed. At most 50 requests per run
   * (10 for pre/post hooks) and 10 MB per response: going over fails the run.
   */
  export interface Http {
    get<B = any>(url: string | URL, options?: HttpOptions): Promise<HttpResponse<B>>;
    delete<B = any>(url: string | URL, options?: HttpOptions): Promise<HttpResponse<B>>;
    head(url: string | URL, options?: HttpOptions): Promise<HttpResponse<string>>;
    post<B = any>(url: string | URL, body?: JsonValue | string, options?: HttpOptions): Promise<HttpResponse<B>>;
    put<B = any>(url: string | URL, body?: JsonValue | string, options?: HttpOptions): Promise<HttpResponse<B>>;
    patch<B = any>(url: string | URL, body?: JsonValue | string, options?: HttpOptions): Promise<HttpResponse<B>>;
    request<B = any>(request: HttpRequest): Promise<HttpResponse<B>>;
  }

  /**
   * The integration's key-value store. Keys: 1–256 characters; values: JSON of at most
   * 64 KB; entries expire after 90 days unless `ttlSeconds` says otherwise (every `set`
   * renews). In a dry run, writes are visible to the run only and then dropped.
   */
  export interface Kv {
    /** The value, or `null` when missing or expired. */
    get<T extends JsonValue = JsonValue>(key: string): Promise<T | null>;
    set(key: string, value: JsonValue, options?: { ttlSeconds?: number }): Promise<void>;
    delete(key: string): Promise<void>;
    /** Keys starting with `prefix`, sorted. */
    list(prefix?: string): Promise<string[]>;
  }

  /** The execution's log (also `console.log` and friends). Capped at 5,000 lines / 1 MB. */
  export interface Log {
    debug(message: string, data?: JsonValue): void;
    info(message: string, data?: JsonValue): void;
    warn(message: string, data?: JsonValue): void;
    error(message: string, data?: JsonValue): void;
  }

  export interface Org {
    id: string;
    slug: string;
    name: string;
    /** IANA time zone, e.g. `Europe/Amsterdam`. */
    timeZone: string;
  }

  export interface Integration {
    id: string;
    name: string;
    sourceSystemKey: string;
  }

  export interface Execution {
    id: string;
    hookId: string;
    trigger: string;
    dryRun: boolean;
    attempt: number;
    /** 1-based page of a pull execution. */
    page: number;
  }

  export interface ChangeSource {
    kind: 'api' | 'pull' | 'inbound' | 'automation' | 'ui';
    integrationId?: string;
    hookId?: string;
    apiKeyId?: string;
  }

  /** The change a push hook is told about (docs/hooks.md, "PUSH hooks"). */
  export interface EntityEvent<E = JsonObject> {
    /** Stable across retries: use it to make deliveries idempotent. */
    id: string;
    entityType: EntityType;
    entityId: string;
    changeType: 'create' | 'update' | 'delete';
    before: E | null;
    after: E | null;
    source: ChangeSource;
    occurredAt: string;
  }

  /** The API call a pre or post hook wraps (docs/hooks.md, "API pre-hooks and post-hooks"). */
  export interface ApiRequest {
    operation: 'list' | 'get' | 'create' | 'update' | 'delete';
    entityType: EntityType;
    entityId?: string;
    message: JsonValue;
  }

  /** The call an inbound hook handles (docs/hooks.md, "Inbound hooks"). */
  export interface InboundRequest {
    method: string;
    path: string;
    headers: Record<string, string>;
    query: Record<string, string>;
    body: JsonValue;
  }

  /** Members every hook gets. */
  export interface BaseCtx<P = JsonValue> {
    http: Http;
    /** The integration's secrets: read-only strings. Redacted as `[secret:NAME]` in logs and results. */
    secrets: Readonly<Record<string, string>>;
    kv: Kv;
    log: Log;
    /** The hook's own parameters, from its settings. */
    params: P;
    org: Org;
    integration: Integration;
    execution: Execution;
  }

  export interface PullCtx<M = JsonValue, P = JsonValue> extends BaseCtx<P> {
    /** `undefined` on the first page, then what the previous page returned as `meta`. */
    meta: M | undefined;
  }
  export interface PushCtx<E = JsonObject, P = JsonValue> extends BaseCtx<P> {
    event: EntityEvent<E>;
  }
  export interface PreCtx<P = JsonValue> extends BaseCtx<P> {
    request: ApiRequest;
  }
  export interface PostCtx<P = JsonValue> extends BaseCtx<P> {
    request: ApiRequest;
    response: { status: number; body: JsonValue };
  }
  export interface InboundCtx<P = JsonValue> extends BaseCtx<P> {
    request: InboundRequest;
  }
  /** Any hook's ctx. */
  export type Ctx = PullCtx | PushCtx | PreCtx | PostCtx | InboundCtx;

  /** One record of a pull page or inbound call. */
  export interface PullRecord<D = JsonObject> {
    /** The external system's id: 1–256 characters (numbers become strings). */
    externalId: string | number;
    /** Fields of the hook's entity type, plus `customAttributes`; `deletedAt` deletes. */
    data: D;
  }

  export interface PullResult<M = JsonValue> {
    records: PullRecord[];
    /** `true` to be called again for the next page (at most 100 pages). */
    more?: boolean;
    /** Becomes `ctx.meta` of the next page. */
    meta?: M;
  }

  export type PreResult = { status: 200; messageOverride?: JsonValue } | { status: number; message?: JsonValue };
  export type PostResult = { status?: number; responseOverride: JsonValue } | void;
  export interface InboundResult {
    response?: { status?: number; headers?: Record<string, string>; body?: JsonValue };
    records?: PullRecord[];
  }

  /** Flow steps of a pull hook (docs/hooks.md, "Flow steps and mapping"): optional functions beside `run`. */
  export interface FlowSteps {
    preSavePage?(ctx: PullCtx, input: { records: PullRecord[]; page: number }): Promise<{ records: PullRecord[]; abort?: boolean }>;
    preMap?(ctx: PullCtx, input: { records: PullRecord[] }): Promise<{ records: PullRecord[] }>;
    postMap?(ctx: PullCtx, input: { records: PullRecord[] }): Promise<{ records: PullRecord[] }>;
    postSubmit?(
      ctx: PullCtx,
      input: { results: Array<{ externalId: string; entityId?: string; outcome: 'created' | 'updated' | 'skipped' | 'failed'; error?: string }> },
    ): Promise<void>;
    postAggregate?(ctx: PullCtx, input: { summary: JsonObject }): Promise<void>;
  }
}

/* Globals of the sandbox besides standard JavaScript: console, setTimeout/setInterval
 * (within the run), queueMicrotask, URL, URLSearchParams, TextEncoder/TextDecoder,
 * atob/btoa, structuredClone and crypto.getRandomValues/randomUUID, declared in
 * hookyard-globals.d.ts for editors without the DOM's types. There is no require, import
 * of modules, process or fs. */
