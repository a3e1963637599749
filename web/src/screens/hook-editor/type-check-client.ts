/**
 * The page's side of the TypeScript check: one worker (type-check.worker.ts), started the
 * first time a TypeScript hook is checked, answering one check at a time in order.
 */
import type { HookType } from '../../api/client';
import type { TypeProblem } from './type-check';
import type { CheckAnswer, CheckRequest } from './type-check.worker';

let worker: Worker | undefined;
let next = 0;
const waiting = new Map<number, (problems: readonly TypeProblem[]) => void>();

/** The type problems of `code` as a hook of `hookType`. */
export function typeProblems(code: string, hookType: HookType): Promise<readonly TypeProblem[]> {
  if (!worker) {
    worker = new Worker(new URL('./type-check.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<CheckAnswer>) => {
      waiting.get(event.data.id)?.(event.data.problems);
      waiting.delete(event.data.id);
    };
    // A worker that cannot start or breaks marks nothing; the next check starts a new one.
    worker.onerror = () => {
      for (const resolve of waiting.values()) resolve([]);
      waiting.clear();
      worker = undefined;
    };
  }
  const id = ++next;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker!.postMessage({ id, code, hookType } satisfies CheckRequest);
  });
}
