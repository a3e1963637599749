/**
 * Field paths: dotted keys with array indexes (`after.teamAllocations.0.teamName`), as
 * automation conditions and templates (and PULL mappings) read JSON data. Reading never
 * leaves the data: only own, enumerable data properties are followed, so `__proto__`,
 * `constructor` or `toString` read as missing, and no getter ever runs.
 */

/** Longest field path accepted, in characters. */
export const MAX_FIELD_PATH_LENGTH = 500;
/** Most segments in a field path. */
export const MAX_FIELD_PATH_SEGMENTS = 32;

// Braces would read as a template's end, brackets as another path syntax; whitespace and
// control characters are a typo far more often than a key.
const FORBIDDEN = /[\s\p{Cc}{}[\]]/u;

/**
 * Splits `path` into its segments, or says what is wrong with it (a sentence without a
 * subject, to follow the path's name: `has an empty segment at character 7`).
 *
 * A segment is any non-empty run of characters other than `.`, whitespace, control
 * characters, `{`, `}`, `[` and `]`; on an array, a segment that is an index (`0`, `12`,
 * not `01`) reads that element. Keys that contain a dot cannot be named.
 *
 * @example parseFieldPath('after.teamAllocations.0.teamName') // → ['after', 'teamAllocations', '0', 'teamName']
 * @example parseFieldPath('after..name') // → 'has an empty segment at character 7'
 */
export function parseFieldPath(path: string): readonly string[] | string {
  if (path.length === 0) return 'must not be empty';
  if (path.length > MAX_FIELD_PATH_LENGTH) return `must have at most ${MAX_FIELD_PATH_LENGTH} characters`;
  const bad = FORBIDDEN.exec(path);
  if (bad) {
    const what = /\s/.test(bad[0]) ? 'a space' : /[[\]]/.test(bad[0]) ? `"${bad[0]}" (write array indexes as .0)` : /[{}]/.test(bad[0]) ? `"${bad[0]}"` : 'a control character';
    return `must not contain ${what} (at character ${bad.index + 1})`;
  }
  const segments = path.split('.');
  if (segments.length > MAX_FIELD_PATH_SEGMENTS) return `must have at most ${MAX_FIELD_PATH_SEGMENTS} segments`;
  let at = 1;
  for (const segment of segments) {
    if (segment === '') return `has an empty segment at character ${at}`;
    at += segment.length + 1;
  }
  return segments;
}

/**
 * The value at `segments` in `root`, or `undefined` where the path leads nowhere. On an
 * array a segment that is an index (`0`, `12`, not `01`) reads that element; on an
 * object a segment reads an own, enumerable data property; anything else (a primitive,
 * a missing key, `length`, an inherited property) ends the walk with `undefined`.
 */
export function readSegments(root: unknown, segments: readonly string[]): unknown {
  let node: unknown = root;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    if (Array.isArray(node) && !/^(0|[1-9]\d*)$/.test(segment)) return undefined;
    const property = Object.getOwnPropertyDescriptor(node, segment);
    if (!property || !property.enumerable || !('value' in property)) return undefined;
    node = property.value;
  }
  return node;
}

/**
 * The value at a dotted `path` (or its parsed segments) in `root`; `undefined` when the
 * path does not exist or does not parse.
 *
 * @example readFieldPath({ after: { tags: ['a', 'b'] } }, 'after.tags.1') // → 'b'
 * @example readFieldPath({}, 'constructor') // → undefined
 */
export function readFieldPath(root: unknown, path: string | readonly string[]): unknown {
  const segments = typeof path === 'string' ? parseFieldPath(path) : path;
  return typeof segments === 'string' ? undefined : readSegments(root, segments);
}
