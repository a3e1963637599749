/**
 * The automation actions, one file each, by type: what the runner dispatches on and what
 * the definition validator checks params with. A type is added by writing its file and
 * listing it here (the table must name every {@link ActionType}).
 */
import type { ActionParams, ActionType } from '../../../domain/automations.js';
import type { FieldIssue } from '../../../domain/field-issues.js';
import type { ActionDefinition } from './action.js';
import createRecord from './create-record.js';
import deleteRecord from './delete-record.js';
import httpRequest from './http-request.js';
import log from './log.js';
import respond from './respond.js';
import runHook from './run-hook.js';
import sendEmail from './send-email.js';
import updateRecord from './update-record.js';

export type { ActionContext, ActionDefinition, ActionResult, InboundReply } from './action.js';
export { recordActionOutcome } from '../../run-metrics.js';

const table: Record<ActionType, ActionDefinition> = {
  send_email: sendEmail,
  http_request: httpRequest,
  create_record: createRecord,
  update_record: updateRecord,
  delete_record: deleteRecord,
  run_hook: runHook,
  respond,
  log,
};

/** Every action, by type. */
export const ACTIONS: Readonly<Record<ActionType, ActionDefinition>> = table;

/**
 * Puts `action` in the table in place of the one of its type (a test's stand-in, say);
 * returns the function that puts the previous one back.
 */
export function registerAction(action: ActionDefinition): () => void {
  const previous = table[action.type];
  table[action.type] = action;
  return () => {
    if (table[action.type] === action) table[action.type] = previous;
  };
}

/**
 * The problems of one action's params as saved (templates not rendered yet), with paths
 * relative to the params object (`to`, `headers/x-id`); an unknown type is one problem
 * at the root.
 *
 * @example validateActionParams('log', { level: 'loud', message: 'hi' }) // → [{ path: 'level', message: 'level must be one of debug, info, warn, error' }]
 */
export function validateActionParams(type: ActionType, params: ActionParams): FieldIssue[] {
  const action = Object.hasOwn(ACTIONS, type) ? ACTIONS[type] : undefined;
  if (!action) return [{ path: '', message: `unknown action type "${String(type)}"` }];
  return action.validate(params);
}
