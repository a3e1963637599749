/**
 * Turning a hook's source into code V8 runs: TypeScript has its types stripped by
 * esbuild (with a source map back to the user's lines); JavaScript runs exactly as
 * written, so V8's own line and column numbers are the user's.
 */
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { transform } from 'esbuild';
import ivm from 'isolated-vm';
import { HookyardError } from '../domain/errors.js';
import type { Language } from './types.js';

/** Hook code ready for an isolate. `form` is learnt on first compile and shared. */
export interface PreparedSource {
  /** The code as written by the user. */
  readonly original: string;
  /** The code V8 compiles. */
  readonly code: string;
  readonly filename: 'hook.js' | 'hook.ts';
  /** Maps `code` back to `original` (TypeScript only). */
  readonly map?: TraceMap;
  form?: 'script' | 'module';
}

/** A position in the user's source, 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** The error for code that does not compile: `HY_VALIDATION` with `{ line, column }` as details. */
export function syntaxError(message: string, position?: SourcePosition): HookyardError {
  const where = position ? ` (line ${position.line}, column ${position.column})` : '';
  return new HookyardError('HY_VALIDATION', `SyntaxError: ${message}${where}`, { details: { path: '/code', ...position } });
}

/** Strips TypeScript types; JavaScript passes through unchanged. Throws {@link syntaxError}. */
export async function prepareSource(code: string, language: Language = 'javascript'): Promise<PreparedSource> {
  if (language === 'javascript') return { original: code, code, filename: 'hook.js' };
  try {
    const out = await transform(code, { loader: 'ts', sourcemap: 'external', sourcefile: 'hook.ts', target: 'es2022' });
    return { original: code, code: out.code, filename: 'hook.ts', map: new TraceMap(out.map) };
  } catch (err) {
    const first = (err as { errors?: Array<{ text: string; location?: { line: number; column: number } }> }).errors?.[0];
    if (!first) throw err;
    throw syntaxError(first.text, first.location ? { line: first.location.line, column: first.location.column + 1 } : undefined);
  }
}

/** Maps a 1-based position in the compiled code back to the user's source. */
export function originalPosition(source: PreparedSource, line: number, column: number): SourcePosition | undefined {
  // Positions come from a stack the hook may have written itself: anything before 1:1 is none.
  if (!(line >= 1 && column >= 1)) return undefined;
  if (!source.map) return { line, column };
  const pos = originalPositionFor(source.map, { line, column: column - 1 });
  return pos.line === null || pos.column === null ? undefined : { line: pos.line, column: pos.column + 1 };
}

const MODULE_SYNTAX = /Unexpected token 'export'|Cannot use import statement outside a module|import\.meta|await is only valid/;
const LOCATION = / \[hook\.(?:js|ts):(\d+):(\d+)\]$/;

/**
 * Turns a V8 SyntaxError (message ending in `[hook.js:LINE:COL]`) into
 * {@link syntaxError} with the user's position.
 */
export function toSyntaxError(err: unknown, source: PreparedSource): HookyardError {
  const message = err instanceof Error ? err.message : String(err);
  const match = LOCATION.exec(message);
  const position = match ? originalPosition(source, Number(match[1]), Number(match[2])) : undefined;
  return syntaxError(message.replace(LOCATION, ''), position);
}

/** Whether a script compile failed only because the code is an ES module. */
export function isModuleSyntax(err: unknown): boolean {
  return err instanceof Error && err.name === 'SyntaxError' && MODULE_SYNTAX.test(err.message);
}

/**
 * Compiles `source` in `isolate` as a script, or as a module when it uses module
 * syntax (recording the form on `source`). Throws {@link syntaxError}.
 */
export async function compileIn(isolate: ivm.Isolate, source: PreparedSource): Promise<ivm.Script | ivm.Module> {
  if (source.form !== 'module') {
    try {
      const script = await isolate.compileScript(source.code, { filename: source.filename });
      source.form = 'script';
      return script;
    } catch (err) {
      if (!isModuleSyntax(err)) throw toSyntaxError(err, source);
    }
  }
  try {
    const module = await isolate.compileModule(source.code, { filename: source.filename });
    source.form = 'module';
    return module;
  } catch (err) {
    throw toSyntaxError(err, source);
  }
}

/**
 * Compile-only check for saving a hook (docs/hooks.md: syntax errors are rejected with line
 * and column). Resolves with the form; rejects with {@link syntaxError}.
 */
export async function checkSource(code: string, language: Language = 'javascript'): Promise<'script' | 'module'> {
  const source = await prepareSource(code, language);
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    await compileIn(isolate, source);
    return source.form ?? 'script';
  } finally {
    isolate.dispose();
  }
}
