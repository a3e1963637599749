/**
 * Depth limits for JSON that comes from outside (request bodies, hook return values,
 * KV values). Recursive code — validation, redaction, `JSON.stringify` of a parsed
 * value — overflows the stack on input nested a few thousand levels deep, so depth is
 * checked first, without recursion.
 */

/** Nesting allowed in any JSON value Hookyard accepts: objects and arrays, counted from 1. */
export const MAX_JSON_DEPTH = 64;

/** Where in a JSON value something is: keys and array indexes from the root. */
export type JsonPath = (string | number)[];

/**
 * Looks at one string, number or object key met by {@link scanJson}; answers what is
 * wrong with it, or `undefined` when nothing is.
 */
export type JsonLeafCheck = (value: string | number | boolean, role: 'key' | 'value') => string | undefined;

/** What {@link scanJson} found first: a container nested too deep, or what a leaf check said. */
export interface JsonScanFinding {
  readonly path: JsonPath;
  /** `undefined` for a container past the depth limit; else the leaf check's answer. */
  readonly problem?: string;
}

/**
 * The first container nested deeper than `max`, or the first key or primitive that
 * `check` finds wrong, in `value`; `undefined` when there is none. Iterative, so it is
 * safe on any input, however deep; paths are built only for containers and for the
 * finding.
 */
export function scanJson(value: unknown, max: number = MAX_JSON_DEPTH, check?: JsonLeafCheck): JsonScanFinding | undefined {
  if (value === null || typeof value !== 'object') {
    const problem = check && value !== null && value !== undefined ? check(value as string | number | boolean, 'value') : undefined;
    return problem === undefined ? undefined : { path: [], problem };
  }
  const stack: Array<{ value: object; depth: number; path: JsonPath }> = [{ value, depth: 1, path: [] }];
  while (stack.length > 0) {
    const { value: node, depth, path } = stack.pop()!;
    if (depth > max) return { path };
    const isArray = Array.isArray(node);
    const keys = isArray ? undefined : Object.keys(node);
    const length = isArray ? (node as unknown[]).length : keys!.length;
    for (let i = 0; i < length; i++) {
      const key: string | number = isArray ? i : keys![i];
      if (check && !isArray) {
        // A key's finding names the object that holds it: the key itself may be unprintable.
        const problem = check(key, 'key');
        if (problem !== undefined) return { path, problem };
      }
      const child = (node as Record<string | number, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1, path: [...path, key] });
      else if (check && child !== null && child !== undefined) {
        const problem = check(child as string | number | boolean, 'value');
        if (problem !== undefined) return { path: [...path, key], problem };
      }
    }
  }
  return undefined;
}

/**
 * The path of the first container nested deeper than `max` in `value`, or `undefined`
 * when none is. Iterative, so it is safe on any input, however deep.
 *
 * @example firstTooDeep({ a: [[[1]]] }, 3) // → ['a', 0, 0]
 */
export function firstTooDeep(value: unknown, max: number = MAX_JSON_DEPTH): (string | number)[] | undefined {
  return scanJson(value, max)?.path;
}

/**
 * The deepest nesting of objects and arrays in JSON `text`, stopping early once it
 * passes `stopAt`. One pass over the characters, brackets inside strings ignored: the
 * cheap check for text that is about to be parsed or was built by untrusted code.
 */
export function jsonTextDepth(text: string, stopAt: number = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAt) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
