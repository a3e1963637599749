/**
 * Hooks as users configure them (docs/hooks.md; docs/api.md): the public shape, the settings each
 * hook type takes, and the rules a hook must satisfy to be saved. Per-type rules sit
 * in {@link HOOK_TYPE_RULES}, one entry per type.
 */
import { CHANGE_TYPES, type ChangeType } from './entity-events.js';
import { ENTITY_TYPES, type EntityType } from './entity-types.js';
import { issue, underRoot, type FieldIssue } from './field-issues.js';
import { verifySchemeIssues, type VerifySettings } from './webhook-verification.js';

export const HOOK_TYPES = ['pull', 'push', 'pre', 'post', 'inbound'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

export const SCHEDULE_INTERVALS = ['15m', '30m', '1h', '6h', '12h', '24h'] as const;
export type ScheduleInterval = (typeof SCHEDULE_INTERVALS)[number];

export const API_OPERATIONS = ['list', 'get', 'create', 'update', 'delete'] as const;
export type ApiOperation = (typeof API_OPERATIONS)[number];

export const HTTP_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type InboundMethod = (typeof HTTP_METHODS)[number];

export const LANGUAGES = ['javascript', 'typescript'] as const;
export type HookLanguage = (typeof LANGUAGES)[number];

/** A PULL schedule: every `interval`, aligned to `preferredHour` in the organisation's time zone. */
export interface Schedule {
  readonly interval: ScheduleInterval;
  readonly preferredHour: number;
}

/** Settings stored with a hook; which ones apply depends on its type. */
export interface HookSettings {
  readonly language?: HookLanguage;
  readonly schedule?: Schedule;
  readonly changeTypes?: readonly ChangeType[];
  readonly operations?: readonly ApiOperation[];
  readonly order?: number;
  readonly method?: InboundMethod;
  readonly path?: string;
  readonly params?: Record<string, unknown>;
  readonly mapping?: Record<string, string>;
  readonly retry?: { readonly attempts: number };
  readonly onError?: 'fail' | 'continue';
  /** Inbound: how a call is verified before any code runs (its secret is stored apart, write-only). */
  readonly verify?: VerifySettings;
}

/** A hook as the API shows it. The remote signing secret is never shown. */
export interface Hook extends HookSettings {
  readonly id: string;
  readonly integrationId: string;
  readonly name: string;
  readonly type: HookType;
  readonly entityType: EntityType | null;
  readonly runtime: 'code' | 'remote';
  readonly code?: string;
  readonly remote?: RemoteSettings;
  readonly enabled: boolean;
  /** Increases on every change; runs cache compiled code per version. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What decides a hook's behaviour, as checked before it is saved. */
export interface HookDraft extends HookSettings {
  readonly type: HookType;
  readonly entityType: EntityType | null;
  readonly runtime: 'code' | 'remote';
  readonly code?: string | null;
  readonly remote?: (RemoteSettings & { readonly secret?: string }) | null;
}

/** The flow steps of a PULL (or inbound) page, in the order they run. */
export const FLOW_STEPS = Object.freeze(['preSavePage', 'preMap', 'postMap', 'postSubmit', 'postAggregate'] as const);
export type FlowStep = (typeof FLOW_STEPS)[number];

/** Where a remote hook lives; its signing secret is write-only and never part of this. */
export interface RemoteSettings {
  readonly url: string;
  /** The flow steps the remote server implements; the others pass their input through. */
  readonly steps?: readonly FlowStep[];
}

/** How long a replaced signing secret stays valid, so the remote server can switch over. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

/**
 * Whether `secret` is a Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64
 * random bytes.
 */
export function isSigningSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match || match[1].length % 4 !== 0) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/**
 * What is wrong with the path of an inbound hook or automation (answered at
 * `/inbound/{orgSlug}/{path}`), or `undefined` when nothing is.
 */
export function inboundPathProblem(path: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,199}$/.test(path) ? undefined : 'must be 1-200 letters, digits, "/", "_", "." or "-", not starting with "/"';
}

/** Per-type rules: which settings a type takes, which it needs, and their defaults. */
interface HookTypeRule {
  readonly needsEntityType: boolean;
  readonly settings: ReadonlyArray<keyof HookSettings>;
  readonly required: ReadonlyArray<keyof HookSettings>;
  readonly defaults: Partial<HookSettings>;
}

const COMMON: ReadonlyArray<keyof HookSettings> = ['language', 'params'];

export const HOOK_TYPE_RULES: Readonly<Record<HookType, HookTypeRule>> = Object.freeze({
  pull: { needsEntityType: true, settings: [...COMMON, 'schedule', 'mapping'], required: [], defaults: {} },
  push: { needsEntityType: true, settings: [...COMMON, 'changeTypes', 'retry'], required: [], defaults: { changeTypes: CHANGE_TYPES, retry: { attempts: 3 } } },
  pre: { needsEntityType: true, settings: [...COMMON, 'operations', 'order', 'onError'], required: ['operations'], defaults: { order: 0, onError: 'fail' } },
  post: { needsEntityType: true, settings: [...COMMON, 'operations', 'order'], required: ['operations'], defaults: { order: 0 } },
  inbound: { needsEntityType: false, settings: [...COMMON, 'method', 'path', 'mapping', 'verify'], required: ['path'], defaults: { method: 'ANY' } },
});

/** Settings keys across all types, in the order the API shows them. */
export const SETTING_KEYS: ReadonlyArray<keyof HookSettings> = [
  'language', 'schedule', 'changeTypes', 'operations', 'order', 'method', 'path', 'verify', 'params', 'mapping', 'retry', 'onError',
];

/**
 * Checks a draft against the rules of its type and fills the type's defaults.
 * Returns the settings to store, or the issues found (paths name the field).
 */
export function checkHookDraft(draft: HookDraft): { settings: HookSettings; issues: FieldIssue[] } {
  const rule = HOOK_TYPE_RULES[draft.type];
  const issues: FieldIssue[] = [];
  if (rule.needsEntityType && !draft.entityType) issues.push(issue('entityType', `is required for ${draft.type} hooks (one of ${ENTITY_TYPES.join(', ')})`));
  if (draft.runtime === 'code' && !draft.code) issues.push(issue('code', 'is required when runtime is "code"'));
  if (draft.runtime === 'remote' && !draft.remote?.url) issues.push(issue('remote/url', 'is required when runtime is "remote"'));
  if (draft.runtime === 'remote' && draft.remote?.url) {
    const url = URL.canParse(draft.remote.url) ? new URL(draft.remote.url) : undefined;
    if (url?.protocol !== 'https:') issues.push(issue('remote/url', 'must be an https:// URL'));
    // Everyone who may read the hook sees its URL: credentials belong in the signing secret.
    else if (url.username || url.password) issues.push(issue('remote/url', 'must not contain a user name or password'));
  }
  if (draft.runtime === 'remote' && draft.remote?.secret !== undefined && !isSigningSecret(draft.remote.secret)) {
    issues.push(issue('remote/secret', 'must be "whsec_" followed by the base64 of 24 to 64 random bytes'));
  }
  const steps = draft.runtime === 'remote' ? (draft.remote?.steps ?? []) : [];
  if (steps.length > 0 && draft.type !== 'pull' && draft.type !== 'inbound') {
    issues.push(issue('remote/steps', `flow steps run in pull and inbound hooks only, not in ${draft.type} hooks`));
  }
  const settings: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = draft[key];
    if (value === undefined || value === null) continue;
    if (!rule.settings.includes(key)) issues.push(issue(key, `does not apply to ${draft.type} hooks`));
    else settings[key] = value;
  }
  for (const key of rule.required) {
    if (settings[key] === undefined) issues.push(issue(key, `is required for ${draft.type} hooks`));
  }
  const pathProblem = draft.type === 'inbound' && typeof settings.path === 'string' ? inboundPathProblem(settings.path) : undefined;
  if (pathProblem) issues.push(issue('path', pathProblem));
  const schedule = settings.schedule as Partial<Schedule> | undefined;
  if (schedule) settings.schedule = { interval: schedule.interval, preferredHour: schedule.preferredHour ?? 0 };
  if (Array.isArray(settings.operations) && settings.operations.length === 0) issues.push(issue('operations', 'must name at least one operation'));
  const verify = settings.verify as VerifySettings | undefined;
  if (verify) issues.push(...underRoot('verify', verifySchemeIssues(verify)));
  return { settings: { ...rule.defaults, ...settings }, issues };
}
