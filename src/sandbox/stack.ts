/**
 * Stack traces in the user's terms: only frames of the hook's own file are kept, and
 * each is mapped to the user's line and column (through the source map for TypeScript).
 * Stacks come from the isolate as plain text, so a hook that rewrites
 * `Error.prepareStackTrace` can only ever hand us a string.
 */
import type { PreparedSource, SourcePosition } from './compile.js';
import { originalPosition } from './compile.js';

/** A cleaned stack plus the position of the innermost user frame. */
export interface MappedStack {
  readonly stack: string;
  readonly position?: SourcePosition;
}

const FRAME = /^\s*at (?:(async )?(.*?) \()?hook\.(?:js|ts):(\d+):(\d+)\)?$/;

/** Keeps the header lines and the user's frames of `stack`, mapped to the original source. */
export function mapStack(stack: string, source: PreparedSource): MappedStack {
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((l) => /^\s*at /.test(l));
  const header = firstFrame < 0 ? lines : lines.slice(0, firstFrame);
  const frames: string[] = [];
  let position: SourcePosition | undefined;
  for (const line of firstFrame < 0 ? [] : lines.slice(firstFrame)) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const mapped = originalPosition(source, Number(match[3]), Number(match[4]));
    if (!mapped) continue;
    position ??= mapped;
    const where = `${source.filename}:${mapped.line}:${mapped.column}`;
    frames.push(match[2] ? `    at ${match[1] ?? ''}${match[2]} (${where})` : `    at ${where}`);
  }
  return { stack: [...header, ...frames].join('\n'), position };
}
