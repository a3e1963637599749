/**
 * The editor's working copy of a hook, as form text, and its conversion to the PATCH
 * body. Inputs are named after the API's fields (`schedule.interval`, `remote.url`) so a
 * 400's `details[].path` lands by the right one.
 */
import type { Body, Hook } from '../../api/client';

export interface HookDraft {
  name: string;
  enabled: boolean;
  runtime: 'code' | 'remote';
  code: string;
  language: 'javascript' | 'typescript';
  remoteUrl: string;
  /** Blank keeps the stored signing secret. */
  remoteSecret: string;
  remoteSteps: string[];
  scheduled: boolean;
  interval: string;
  preferredHour: string;
  changeTypes: string[];
  operations: string[];
  order: string;
  onError: string;
  method: string;
  path: string;
  params: string;
  mapping: string;
  retryAttempts: string;
  verifyScheme: string;
  verifySecret: string;
  verifyHeader: string;
  verifyAlgorithm: string;
  verifyEncoding: string;
  verifyPrefix: string;
}

const json = (value: unknown) => (value === undefined || value === null ? '' : JSON.stringify(value, null, 2));

export function draftOf(hook: Hook): HookDraft {
  return {
    name: hook.name,
    enabled: hook.enabled,
    runtime: hook.runtime,
    code: hook.code ?? '',
    language: hook.language ?? 'javascript',
    remoteUrl: hook.remote?.url ?? '',
    remoteSecret: '',
    remoteSteps: hook.remote?.steps ?? [],
    scheduled: hook.schedule !== undefined,
    interval: hook.schedule?.interval ?? '1h',
    preferredHour: String(hook.schedule?.preferredHour ?? 0),
    changeTypes: hook.changeTypes ?? [],
    operations: hook.operations ?? [],
    order: String(hook.order ?? 0),
    onError: hook.onError ?? 'fail',
    method: hook.method ?? 'ANY',
    path: hook.path ?? '',
    params: json(hook.params),
    mapping: json(hook.mapping),
    retryAttempts: String(hook.retry?.attempts ?? 3),
    verifyScheme: hook.verify?.scheme ?? '',
    verifySecret: '',
    verifyHeader: hook.verify?.header ?? '',
    verifyAlgorithm: hook.verify?.algorithm ?? 'sha256',
    verifyEncoding: hook.verify?.encoding ?? 'hex',
    verifyPrefix: hook.verify?.prefix ?? '',
  };
}

type Patch = Body<'/v1/hooks/{id}', 'patch'>;

/** Thrown for form text that cannot become a body (bad JSON): names the input. */
export class DraftError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function parseObject(text: string, field: string): Record<string, never> | null {
  if (text.trim() === '') return null;
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('must be a JSON object');
    return value;
  } catch (error) {
    throw new DraftError(field, `not a JSON object: ${(error as Error).message}`);
  }
}

/** The PATCH body for a hook of `type` from the draft; only the type's settings are sent. */
export function patchOf(draft: HookDraft, type: Hook['type']): Patch {
  const body: Patch = { name: draft.name, enabled: draft.enabled, runtime: draft.runtime, language: draft.language, params: parseObject(draft.params, 'params') };
  if (draft.runtime === 'code') body.code = draft.code;
  else body.remote = { url: draft.remoteUrl, ...(draft.remoteSecret && { secret: draft.remoteSecret }), ...(draft.remoteSteps.length > 0 && { steps: draft.remoteSteps as never }) };
  if (type === 'pull') body.schedule = draft.scheduled ? { interval: draft.interval as never, preferredHour: Number(draft.preferredHour) } : null;
  if (type === 'pull' || type === 'inbound') body.mapping = parseObject(draft.mapping, 'mapping');
  if (type === 'push') {
    body.changeTypes = draft.changeTypes as never;
    body.retry = { attempts: Number(draft.retryAttempts) };
  }
  if (type === 'pre' || type === 'post') {
    body.operations = draft.operations as never;
    body.order = Number(draft.order);
  }
  if (type === 'pre') body.onError = draft.onError as never;
  if (type === 'inbound') {
    body.method = draft.method as never;
    body.path = draft.path;
    body.verify = draft.verifyScheme
      ? {
          scheme: draft.verifyScheme as never,
          ...(draft.verifySecret && { secret: draft.verifySecret }),
          ...(draft.verifyScheme === 'hmac' && { header: draft.verifyHeader, algorithm: draft.verifyAlgorithm as never, encoding: draft.verifyEncoding as never, ...(draft.verifyPrefix && { prefix: draft.verifyPrefix }) }),
        }
      : null;
  }
  return body;
}
