/**
 * Type-checking a TypeScript hook against types/hookyard.d.ts, as the editor does it (in a
 * worker: type-check.worker.ts). The TypeScript compiler and the files it reads are passed
 * in, so the same code runs in the browser and under the tests.
 *
 * A parameter of `run` or of a flow step that has no type gets the ctx type of the hook's
 * type, with its JSON values typed `any`: a misspelt `ctx.htp`, a wrong call of
 * `ctx.kv.set` or a read of `process` is marked, while reading `ctx.event.after.email`
 * needs no cast. A parameter typed by the author (`ctx: PullCtx<Meta>` from 'hookyard')
 * is checked against the exact types. The annotation is added to the checked copy only;
 * positions are mapped back to the author's text.
 */
import type * as TS from 'typescript';
import { createSystem, createVirtualTypeScriptEnvironment } from '@typescript/vfs';
import type { HookType } from '../../api/client';

/** The files the checker reads besides the hook: TypeScript's `lib.*.d.ts` by name, and Hookyard's types. */
export interface CheckerFiles {
  /** `lib.es5.d.ts` … `lib.es2022.*.d.ts` and `lib.decorators*.d.ts`, by file name. */
  readonly libs: Readonly<Record<string, string>>;
  /** types/hookyard.d.ts: the `hookyard` module. */
  readonly hookyard: string;
  /** types/hookyard-globals.d.ts: the sandbox's globals. */
  readonly globals: string;
}

/** A problem in the author's text, as offsets into it. */
export interface TypeProblem {
  readonly from: number;
  readonly to: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** The names of the `lib.*.d.ts` files ES2022 reads (each `lib.es2022.d.ts` references the years before it). */
export const LIB_FILE = /^lib\.(es5|es20(1[5-9]|2[0-2])(\.[a-z]+)*|decorators(\.legacy)?)\.d\.ts$/;

/** The ctx type of each hook type's `run`; the flow steps (PULL) get PullCtx. */
const CTX_OF: Readonly<Record<HookType, string>> = { pull: 'PullCtx', push: 'PushCtx', pre: 'PreCtx', post: 'PostCtx', inbound: 'InboundCtx' };
const FLOW_STEPS = new Set(['preSavePage', 'preMap', 'postMap', 'postSubmit', 'postAggregate']);

/** The module of loosely typed ctx types the added annotations name. */
const LOOSE = 'hookyard-unannotated';
const HOOK_FILE = '/hook.ts';

/** What a hook's sandbox has, in the target it is compiled for (hookyard.d.ts declares the rest). */
const OPTIONS: TS.CompilerOptions = {
  target: 9 /* ES2022 */,
  lib: ['lib.es2022.d.ts'],
  module: 99 /* ESNext */,
  moduleDetection: 3 /* Force: a hook without import or export has its own scope too */,
  // Strict, but an untyped parameter is \`any\` without a word, as in JavaScript.
  strict: true,
  noImplicitAny: false,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

/** hookyard.d.ts with its JSON types as `any`, as a module of another name. */
function loosened(hookyard: string): string {
  const module = hookyard.indexOf("declare module 'hookyard' {");
  const end = hookyard.indexOf('\n}\n', module);
  return hookyard
    .slice(module, end + 2)
    .replace("declare module 'hookyard' {", `declare module '${LOOSE}' {`)
    .replace(/export type JsonValue = [^;]+;/, 'export type JsonValue = any;')
    .replace(/export type JsonObject = [^;]+;/, 'export type JsonObject = any;');
}

interface Insertion {
  readonly at: number;
  readonly text: string;
}

/** The annotations to add: after each untyped first parameter of `run` and the flow steps. */
function annotations(ts: typeof TS, code: string, hookType: HookType): Insertion[] {
  const source = ts.createSourceFile(HOOK_FILE, code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const insertions: Insertion[] = [];
  const annotate = (parameter: TS.ParameterDeclaration | undefined, type: string) => {
    if (parameter && !parameter.type && ts.isIdentifier(parameter.name)) insertions.push({ at: parameter.name.end, text: `: ${type}` });
  };
  const consider = (name: string, fn: TS.SignatureDeclaration) => {
    if (name === 'run') annotate(fn.parameters[0], `import('${LOOSE}').${CTX_OF[hookType]}`);
    else if (FLOW_STEPS.has(name) && hookType === 'pull') {
      annotate(fn.parameters[0], `import('${LOOSE}').PullCtx`);
      annotate(fn.parameters[1], `Parameters<NonNullable<import('${LOOSE}').FlowSteps['${name}']>>[1]`);
    }
  };
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) consider(statement.name.text, statement);
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) consider(d.name.text, init);
      }
    }
  }
  return insertions;
}

/** Maps an offset of the checked copy back to the author's text. */
function original(insertions: readonly Insertion[], offset: number): number {
  let shift = 0;
  for (const { at, text } of insertions) {
    // Inside an added annotation: the parameter it follows.
    if (offset < at + shift) break;
    if (offset < at + shift + text.length) return at;
    shift += text.length;
  }
  return offset - shift;
}

/** TypeScript's "File not found" (6053), for a `/// <reference path>` to Hookyard's own types, which are loaded already. */
function isOurTypesReference(d: TS.Diagnostic, text: string): boolean {
  if (d.code !== 6053 || d.start === undefined || d.length === undefined) return false;
  return /(^|\/)hookyard(-globals)?\.d\.ts$/.test(text.slice(d.start, d.start + d.length));
}

/** A checker for one TypeScript compiler and its files; `check` is fast after the first call. */
export function createTypeChecker(ts: typeof TS, files: CheckerFiles) {
  const fsMap = new Map<string, string>();
  for (const [name, text] of Object.entries(files.libs)) fsMap.set(`/${name}`, text);
  const declarations = { '/hookyard.d.ts': files.hookyard, '/hookyard-globals.d.ts': files.globals, [`/${LOOSE}.d.ts`]: loosened(files.hookyard) };
  for (const [path, text] of Object.entries(declarations)) fsMap.set(path, text);
  fsMap.set(HOOK_FILE, ' ');
  const env = createVirtualTypeScriptEnvironment(createSystem(fsMap), [...Object.keys(declarations), HOOK_FILE], ts, OPTIONS);

  return {
    /** The type errors of `code` as a hook of `hookType`. */
    check(code: string, hookType: HookType): TypeProblem[] {
      const insertions = annotations(ts, code, hookType);
      let checked = code;
      for (const { at, text } of [...insertions].reverse()) checked = checked.slice(0, at) + text + checked.slice(at);
      env.updateFile(HOOK_FILE, checked || ' ');
      const service = env.languageService;
      const diagnostics = [...service.getSyntacticDiagnostics(HOOK_FILE), ...service.getSemanticDiagnostics(HOOK_FILE)];
      return diagnostics.filter((d) => !isOurTypesReference(d, checked)).map((d) => {
        const start = d.start ?? 0;
        const from = Math.min(original(insertions, start), code.length);
        const to = Math.max(from, Math.min(original(insertions, start + (d.length ?? 0)), code.length));
        return {
          from,
          to,
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n').replaceAll(`import("${LOOSE}").`, '').replaceAll(`"${LOOSE}"`, '"hookyard"'),
          severity: d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning',
        } satisfies TypeProblem;
      });
    },
  };
}
