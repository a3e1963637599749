/**
 * Which flow steps a hook may implement. A remote hook names them (`remote.steps`); a code
 * hook is asked only for the functions its source mentions, so a sync without steps
 * costs no sandbox calls for them (one that is mentioned but not defined is found out on
 * its first call).
 */
import { FLOW_STEPS, type FlowStep, type Hook } from '../domain/hooks.js';

/** The test of `hook`'s flow steps. */
export function stepsOf(hook: Pick<Hook, 'runtime' | 'code' | 'remote'>): (step: FlowStep) => boolean {
  if (hook.runtime === 'remote') {
    const steps = new Set<FlowStep>(hook.remote?.steps ?? []);
    return (step) => steps.has(step);
  }
  const code = hook.code ?? '';
  const mentioned = new Set<FlowStep>(FLOW_STEPS.filter((step) => new RegExp(`\\b${step}\\b`).test(code)));
  return (step) => mentioned.has(step);
}
