/**
 * Secret redaction (SPEC §2): secret values are replaced by `[secret:NAME]` wherever
 * they would leave a run — logs, the HTTP log, errors and the result.
 */

/** Replaces secret values in strings and, deeply, in JSON values. */
export interface Redactor {
  text(value: string): string;
  json<T>(value: T): T;
}

const NOOP: Redactor = Object.freeze({ text: (s: string) => s, json: <T>(v: T) => v });

/**
 * How a secret may be spelled where it leaves a run: as is, JSON-escaped (bodies, log
 * data), and as each part of a URL serialises it. `encodeURIComponent` is not enough:
 * `ctx.http`'s `query` option form-encodes (`~` → `%7E`, space → `+`), and the URL
 * parser encodes `'` and spaces in a query typed into the URL, `%20` in a path.
 */
function spellings(value: string): Set<string> {
  const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  forms.add(new URLSearchParams([['', value]]).toString().slice(1));
  try {
    if (!value.includes('#')) forms.add(new URL(`https://h/?${value}`).search.slice(1));
    if (!/[#?/\\]/.test(value)) forms.add(new URL(`https://h/${value}`).pathname.slice(1));
  } catch {
    // Not a valid URL part: then it cannot appear in a URL in that spelling either.
  }
  forms.delete('');
  return forms;
}

/**
 * Builds a redactor for `secrets`. Also catches the URL-encoded and JSON-escaped
 * spellings (see {@link spellings}), since secrets travel in URLs and JSON bodies;
 * longer values are replaced first so a secret that contains another is not half-replaced.
 */
export function createRedactor(secrets: Readonly<Record<string, string>> = {}): Redactor {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value !== 'string' || value === '') continue;
    const label = `[secret:${name}]`;
    for (const form of spellings(value)) {
      pairs.push([form, label]);
    }
  }
  if (pairs.length === 0) return NOOP;
  pairs.sort((a, b) => b[0].length - a[0].length);

  const text = (s: string): string => {
    let out = s;
    for (const [form, label] of pairs) if (out.includes(form)) out = out.split(form).join(label);
    return out;
  };
  const json = <T>(value: T): T => {
    if (typeof value === 'string') return text(value) as T;
    if (Array.isArray(value)) return value.map(json) as T;
    if (value && typeof value === 'object') {
      // fromEntries defines properties, so a "__proto__" key stays a plain key.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), json(v)])) as T;
    }
    return value;
  };
  return Object.freeze({ text, json });
}
