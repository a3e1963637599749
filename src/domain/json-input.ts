/**
 * What Hookyard accepts as JSON from outside: nested at most {@link MAX_JSON_DEPTH}
 * levels, every string and key well-formed Unicode without U+0000, every number
 * finite. Anything else cannot be stored as it was given — SQLite and PostgreSQL turn
 * a lone surrogate into U+FFFD, PostgreSQL refuses U+0000 in text, JSON has no
 * Infinity (`1e309` parses to it and is written back as `null`) — so it is refused
 * before any recursive code or the store sees it.
 */
import { validationError, type HookyardError } from './errors.js';
import { MAX_JSON_DEPTH, scanJson, type JsonLeafCheck, type JsonPath } from './json-depth.js';

/** A place in a JSON value that Hookyard does not accept, and why. */
export interface JsonIssue {
  /** Where, as a JSON pointer under `root`: `body/jobRole/0/0`. */
  readonly path: string;
  readonly message: string;
}

// In a `u` regular expression a surrogate pair is one code point, so \p{Cs} matches lone surrogates only.
const UNSTORABLE_CHARACTER = /[\0\p{Cs}]/u;

const checkLeaf: JsonLeafCheck = (value, role) => {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'is not a finite number';
  if (typeof value !== 'string') return undefined;
  const found = UNSTORABLE_CHARACTER.exec(value);
  if (!found) return undefined;
  const what = role === 'key' ? 'has a field name that' : '';
  return found[0] === '\0'
    ? `${what} contains U+0000, which cannot be stored`.trim()
    : `${what} is not well-formed Unicode (a lone surrogate at position ${found.index})`.trim();
};

/** A JSON pointer for `path` under `root` (`~` and `/` in keys escaped as RFC 6901 says). */
function pointer(root: string, path: JsonPath): string {
  return [root, ...path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1'))].join('/');
}

/**
 * The first thing in `value` that Hookyard does not accept, or `undefined`. Safe on any
 * input, however deep.
 *
 * @example firstJsonIssue({ a: 1e309 }, 'body') // → { path: 'body/a', message: 'body/a is not a finite number' }
 */
export function firstJsonIssue(value: unknown, root: string, maxDepth: number = MAX_JSON_DEPTH): JsonIssue | undefined {
  const found = scanJson(value, maxDepth, checkLeaf);
  if (!found) return undefined;
  const path = pointer(root, found.path);
  const problem = found.problem ?? `is nested deeper than ${maxDepth} levels`;
  return { path, message: `${path} ${problem}` };
}

/** A 400 naming the first unacceptable place in `value`, or `undefined` when it is acceptable. */
export function jsonInputError(value: unknown, root: string, maxDepth: number = MAX_JSON_DEPTH): HookyardError | undefined {
  const issue = firstJsonIssue(value, root, maxDepth);
  return issue && validationError([issue]);
}
