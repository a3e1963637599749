/**
 * Secret redaction: secret values are replaced by `[secret:NAME]` in what people read —
 * logs, the HTTP log, error messages, execution records. It never changes what a hook
 * writes or returns to a caller, and never an object key.
 */

/** Replaces secret values in strings and, deeply, in the string values of JSON. */
export interface Redactor {
  text(value: string): string;
  json<T>(value: T): T;
}

const NOOP: Redactor = Object.freeze({ text: (s: string) => s, json: <T>(v: T) => v });

/** The shortest piece of a secret that a truncated preview is taken to reveal. */
const MIN_PREVIEW = 4;

/**
 * How a secret may be spelled where it leaves a run: as is, JSON-escaped (bodies, log
 * data), and as each part of a URL serialises it — `ctx.http`'s `query` option
 * form-encodes (`~` → `%7E`, space → `+`), the URL parser encodes `'` and spaces in a
 * typed-in query, `%20` in a path, turns `\` into `/` in a path, and percent-encodes
 * user names and passwords. Host names are lowercased: matching ignores case.
 */
function spellings(value: string): Set<string> {
  const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  forms.add(new URLSearchParams([['', value]]).toString().slice(1));
  const url = (text: string) => (URL.canParse(text) ? new URL(text) : undefined);
  if (!value.includes('#')) {
    const query = url(`https://h/?${value}`);
    if (query) forms.add(query.search.slice(1));
  }
  if (!/[#?]/.test(value)) {
    const path = url(`https://h/${value}`);
    if (path) forms.add(path.pathname.slice(1));
    const host = url(`https://${value}/`);
    if (host && host.hostname !== '') forms.add(host.hostname);
  }
  const userinfo = new URL('https://h/');
  userinfo.password = value;
  forms.add(userinfo.password);
  userinfo.username = value;
  forms.add(userinfo.username);
  forms.delete('');
  return forms;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// V8's JSON.parse errors quote a preview of the text: `"abcdefghij"... is not valid JSON`.
const JSON_PREVIEW = /"((?:\.\.\.)?)((?:[^"\\]|\\.)*?)((?:\.\.\.)?)"(?=(?:\.\.\.)? is not valid JSON)/g;

/**
 * Builds a redactor for `secrets`. Every spelling of every secret is matched in one
 * pass, longest first (so a secret that contains another is not half-replaced), and
 * without regard to case. A preview in a JSON parse error that shows part of a secret
 * is replaced whole.
 */
export function createRedactor(secrets: Readonly<Record<string, string>> = {}): Redactor {
  const labels = new Map<string, string>();
  const values: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value !== 'string' || value === '') continue;
    const label = `[secret:${name}]`;
    values.push([value.toLowerCase(), label]);
    for (const form of spellings(value)) if (!labels.has(form.toLowerCase())) labels.set(form.toLowerCase(), label);
  }
  if (labels.size === 0) return NOOP;
  const forms = [...labels.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'gi');

  const previewOf = (shown: string): string | undefined => {
    const lower = shown.toLowerCase();
    if (lower.length < MIN_PREVIEW) return undefined;
    for (const [value, label] of values) {
      if (value.includes(lower)) return label;
      for (let i = 0; i + MIN_PREVIEW <= value.length; i++) if (lower.includes(value.slice(i, i + MIN_PREVIEW))) return label;
    }
    return undefined;
  };

  const text = (s: string): string => {
    let out = s.replace(pattern, (match) => labels.get(match.toLowerCase()) ?? match);
    if (out.includes('is not valid JSON')) {
      out = out.replace(JSON_PREVIEW, (whole, before: string, shown: string, after: string) => {
        const label = previewOf(shown);
        return label ? `"${before}${label}${after}"` : whole;
      });
    }
    return out;
  };
  const json = <T>(value: T): T => {
    if (typeof value === 'string') return text(value) as T;
    if (Array.isArray(value)) return value.map(json) as T;
    if (value && typeof value === 'object') {
      // fromEntries defines properties, so a "__proto__" key stays a plain key.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v)])) as T;
    }
    return value;
  };
  return Object.freeze({ text, json });
}
