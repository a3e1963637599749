/**
 * Depth limits for JSON that comes from outside (request bodies, hook return values,
 * KV values). Recursive code — validation, redaction, `JSON.stringify` of a parsed
 * value — overflows the stack on input nested a few thousand levels deep, so depth is
 * checked first, without recursion.
 */

/** Nesting allowed in any JSON value Hookyard accepts: objects and arrays, counted from 1. */
export const MAX_JSON_DEPTH = 64;

/**
 * The path of the first container nested deeper than `max` in `value`, or `undefined`
 * when none is. Iterative, so it is safe on any input, however deep.
 *
 * @example firstTooDeep({ a: [[[1]]] }, 3) // → ['a', 0, 0]
 */
export function firstTooDeep(value: unknown, max: number = MAX_JSON_DEPTH): (string | number)[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Array<{ value: object; depth: number; path: (string | number)[] }> = [{ value, depth: 1, path: [] }];
  while (stack.length > 0) {
    const { value: node, depth, path } = stack.pop()!;
    if (depth > max) return path;
    const children: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, child] of children) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1, path: [...path, key] });
    }
  }
  return undefined;
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
