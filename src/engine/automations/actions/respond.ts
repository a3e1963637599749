/**
 * `respond`: sets what an inbound-triggered run answers its caller (`status`,
 * `headers?`, `body`); the last `respond` of a run wins. Other runs have no caller
 * waiting, so the action fails there.
 */
import { HookyardError } from '../../../domain/errors.js';
import { issue } from '../../../domain/field-issues.js';
import type { ActionDefinition } from './action.js';
import { checkParams, headerNameProblem, renderedParams, stringMap, type ParamRule } from './params.js';

/** The params of `respond`, rendered. */
export interface RespondParams {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly [key: string]: unknown;
}

// The framing of the answer is the server's to set; a run may not forge it.
const RESERVED_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te']);

function headerProblem(name: string): string | undefined {
  return headerNameProblem(name) ?? (RESERVED_HEADERS.has(name.toLowerCase()) ? 'is set by the server and cannot be given' : undefined);
}

const RULES: Readonly<Record<string, ParamRule>> = {
  status: {
    required: true,
    kinds: ['integer'],
    check: (value, path) => ((value as number) >= 100 && (value as number) <= 599 ? [] : [issue(path, 'must be an HTTP status from 100 to 599')]),
  },
  headers: { kinds: ['object'], check: stringMap(headerProblem) },
  body: { required: true },
};

const respond: ActionDefinition<RespondParams> = {
  type: 'respond',
  validate: (params) => checkParams(params, RULES, 'saved'),
  async run(params, ctx) {
    if (ctx.triggerType !== 'inbound') {
      throw new HookyardError('HY_BAD_REQUEST', `respond answers the caller of an inbound trigger; this run was triggered by ${ctx.triggerType}, so no one is waiting for an answer`);
    }
    const { status, headers, body } = renderedParams<RespondParams>(params, RULES);
    const reply = { status, ...(headers && { headers }), body };
    ctx.respond(reply);
    return { responseStatus: status, response: reply };
  },
};

export default respond;
