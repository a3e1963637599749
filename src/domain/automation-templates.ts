/**
 * `{{path}}` templates in automation params: each string may name values of the
 * automation's scope (`{{after.firstName}}`, `{{actions.lookup.response.total}}`). A
 * template only reads a field path: no filters, no expressions, no code. A string that is
 * exactly one template keeps the value's JSON type; elsewhere values are written as text.
 */
import type { AutomationScope } from './automations.js';
import { issue, type FieldIssue } from './field-issues.js';
import { parseFieldPath, readSegments } from './field-path.js';

/** What a template path may start with: the parts of {@link AutomationScope}. */
export const SCOPE_ROOTS = Object.freeze(['before', 'after', 'event', 'trigger', 'actions', 'now', 'org'] as const);

/** Most characters one {@link renderParams} call writes into strings; past it, templates render empty. */
export const MAX_RENDERED_CHARS = 5_000_000;
/** Most warnings one {@link renderParams} call lists. */
export const MAX_TEMPLATE_WARNINGS = 50;

/** A piece of a parsed template: literal text, or a field path to read. */
export type TemplatePart = { readonly text: string } | { readonly field: string; readonly segments: readonly string[] };

/** A parsed template, or what is wrong with it (a sentence that follows the param's path). */
export type ParsedTemplate = { readonly ok: true; readonly parts: readonly TemplatePart[] } | { readonly ok: false; readonly message: string };

/**
 * Splits `text` into literal text and `{{path}}` parts (whitespace inside the braces is
 * allowed). Refuses an unclosed `{{`, an empty `{{}}`, a path that does not parse and one
 * that does not start with a {@link SCOPE_ROOTS} name. A `}}` without `{{` is text.
 *
 * @example parseTemplate('Hi {{ after.firstName }}!') // → { ok: true, parts: [{ text: 'Hi ' }, { field: 'after.firstName', … }, { text: '!' }] }
 * @example parseTemplate('Hi {{after.firstName') // → { ok: false, message: 'has an unclosed "{{" at character 4' }
 */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let from = 0;
  for (let open = text.indexOf('{{'); open !== -1; open = text.indexOf('{{', from)) {
    if (open > from) parts.push({ text: text.slice(from, open) });
    const close = text.indexOf('}}', open + 2);
    const at = `at character ${open + 1}`;
    if (close === -1) return { ok: false, message: `has an unclosed "{{" ${at}` };
    const field = text.slice(open + 2, close).trim();
    if (field === '') return { ok: false, message: `has an empty "{{}}" ${at}` };
    const segments = parseFieldPath(field);
    if (typeof segments === 'string') return { ok: false, message: `has a template ${at} whose path ${segments}` };
    if (!(SCOPE_ROOTS as readonly string[]).includes(segments[0]!)) {
      return { ok: false, message: `has "{{${field}}}" ${at}, which does not start with one of ${SCOPE_ROOTS.join(', ')}` };
    }
    parts.push({ field, segments });
    from = close + 2;
  }
  if (from < text.length || parts.length === 0) parts.push({ text: text.slice(from) });
  return { ok: true, parts };
}

/** Calls `visit` on every string in `value` (not on keys) with its slash path, rebuilding the value from the answers. */
function mapStrings(value: unknown, at: string, visit: (text: string, at: string) => unknown): unknown {
  const under = (key: string | number) => (at === '' ? String(key) : `${at}/${key}`);
  if (typeof value === 'string') return visit(value, at);
  if (Array.isArray(value)) return value.map((item, index) => mapStrings(item, under(index), visit));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a `__proto__` key stays a key instead of replacing the prototype.
    Object.defineProperty(out, key, { value: mapStrings(item, under(key), visit), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** One `{{path}}` found in params: where it sits (`subject`, `headers/x-id`) and the field it reads. */
export interface TemplateRef {
  readonly at: string;
  readonly field: string;
  readonly segments: readonly string[];
}

/**
 * Every template in `params`, with where it sits, and an issue for each string whose
 * template does not parse (paths relative to `params`).
 */
export function templatePaths(params: unknown): { refs: TemplateRef[]; issues: FieldIssue[] } {
  const refs: TemplateRef[] = [];
  const issues: FieldIssue[] = [];
  mapStrings(params, '', (text, at) => {
    if (!text.includes('{{')) return text;
    const parsed = parseTemplate(text);
    if (!parsed.ok) issues.push(issue(at, parsed.message));
    else for (const part of parsed.parts) if ('field' in part) refs.push({ at, field: part.field, segments: part.segments });
    return text;
  });
  return { refs, issues };
}

/** A value written into text: strings as they are, null as nothing, objects and arrays as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value) ?? '';
  return String(value);
}

/**
 * Renders every template in `params` over `scope`: a string that is exactly one
 * `{{path}}` becomes the value itself (number, object, `null`…); in a longer string,
 * values are written as text (objects and arrays as JSON, `null` as nothing). A missing
 * value renders as `""` either way, with a warning naming the param and the path.
 * A string whose template does not parse is left as written, with a warning. Never throws.
 *
 * @example renderParams({ subject: 'Hi {{after.firstName}}', fte: '{{after.fte}}' }, scope)
 * // → { value: { subject: 'Hi Ada', fte: 0.5 }, warnings: [] }
 */
export function renderParams(params: unknown, scope: AutomationScope): { value: unknown; warnings: string[] } {
  const warnings: string[] = [];
  let budget = MAX_RENDERED_CHARS;
  const warn = (text: string) => {
    if (warnings.length < MAX_TEMPLATE_WARNINGS) warnings.push(text);
    else if (warnings.length === MAX_TEMPLATE_WARNINGS) warnings.push(`more warnings were left out`);
  };
  const where = (at: string) => (at === '' ? 'params' : at);
  const read = (part: { field: string; segments: readonly string[] }, at: string) => {
    const found = readSegments(scope, part.segments);
    if (found === undefined) warn(`${where(at)}: {{${part.field}}} has no value; rendered empty`);
    return found;
  };
  const value = mapStrings(params, '', (text, at) => {
    if (!text.includes('{{')) return text;
    const parsed = parseTemplate(text);
    if (!parsed.ok) {
      warn(`${where(at)}: the template ${parsed.message}; left as written`);
      return text;
    }
    const [first] = parsed.parts;
    if (parsed.parts.length === 1 && first && 'field' in first) {
      const found = read(first, at);
      return found === undefined ? '' : found;
    }
    let out = '';
    for (const part of parsed.parts) {
      if (!('field' in part)) {
        out += part.text;
        continue;
      }
      // The same large value written into many strings must not exhaust memory.
      if (budget < 0) continue;
      const piece = asText(read(part, at));
      if (piece.length > budget) {
        warn(`${where(at)}: templates wrote more than ${MAX_RENDERED_CHARS} characters; the rest render empty`);
        budget = -1;
        continue;
      }
      budget -= piece.length;
      out += piece;
    }
    return out;
  });
  return { value, warnings };
}
