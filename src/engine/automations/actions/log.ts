/**
 * `log`: a line in the run's execution log (`level`, `message`, `data?`), as a hook's
 * `ctx.log` writes one.
 */
import type { ExecutionLogEntry } from '../../../domain/executions.js';
import type { ActionDefinition } from './action.js';
import { issue } from '../../../domain/field-issues.js';
import { checkParams, renderedParams, type ParamRule } from './params.js';

const LEVELS: readonly ExecutionLogEntry['level'][] = ['debug', 'info', 'warn', 'error'];

/** The params of `log`, rendered. */
export interface LogParams {
  readonly level: ExecutionLogEntry['level'];
  readonly message: string;
  readonly data?: unknown;
  readonly [key: string]: unknown;
}

const RULES: Readonly<Record<string, ParamRule>> = {
  level: {
    required: true,
    kinds: ['string'],
    check: (value, path) => (LEVELS.includes(value as ExecutionLogEntry['level']) ? [] : [issue(path, `must be one of ${LEVELS.join(', ')}`)]),
  },
  message: { required: true, kinds: ['string'] },
  data: {},
};

const log: ActionDefinition<LogParams> = {
  type: 'log',
  validate: (params) => checkParams(params, RULES, 'saved'),
  async run(params, ctx) {
    const { level, message, data } = renderedParams<LogParams>(params, RULES);
    ctx.log(level, message, data);
    return {};
  },
};

export default log;
