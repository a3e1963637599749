/**
 * The editor's TypeScript check, off the page's thread: the compiler and the files it reads
 * load with this worker, the first time a TypeScript hook is edited. Each message is a
 * hook's code and type; the answer is its problems (type-check.ts).
 */
import ts from 'typescript';
import hookyard from '../../../../types/hookyard.d.ts?raw';
import globals from '../../../../types/hookyard-globals.d.ts?raw';
import type { HookType } from '../../api/client';
import { LIB_FILE, createTypeChecker, type TypeProblem } from './type-check';

export interface CheckRequest {
  readonly id: number;
  readonly code: string;
  readonly hookType: HookType;
}

export interface CheckAnswer {
  readonly id: number;
  readonly problems: readonly TypeProblem[];
}

const found = import.meta.glob<string>(
  [
    '../../../../node_modules/typescript/lib/lib.es5.d.ts',
    '../../../../node_modules/typescript/lib/lib.es201*.d.ts',
    '../../../../node_modules/typescript/lib/lib.es202[0-2]*.d.ts',
    '../../../../node_modules/typescript/lib/lib.decorators*.d.ts',
  ],
  { query: '?raw', import: 'default', eager: true },
);
const libs = Object.fromEntries(
  Object.entries(found)
    .map(([file, text]) => [file.slice(file.lastIndexOf('/') + 1), text] as const)
    .filter(([name]) => LIB_FILE.test(name)),
);

let checker: ReturnType<typeof createTypeChecker> | undefined;

self.onmessage = (event: MessageEvent<CheckRequest>) => {
  const { id, code, hookType } = event.data;
  checker ??= createTypeChecker(ts, { libs, hookyard, globals });
  self.postMessage({ id, problems: checker.check(code, hookType) } satisfies CheckAnswer);
};
