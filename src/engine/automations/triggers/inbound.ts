/**
 * Inbound triggers (docs/automations.md): an organisation's enabled automation whose trigger names
 * the call's path and method answers `/inbound/{orgSlug}/{path}` when no inbound hook
 * does, through the inbound hooks' own pipeline (inbound/inbound-call.ts: the same 404s,
 * body limit, rate limits, verification and replay protection). The run's `trigger` is
 * `{ method, path, headers, query, body }` — the body parsed when it is JSON or a form,
 * else the raw text. The reply is 200 `{ "ok": true }` unless a `respond` action set it;
 * a run that fails or runs out of time answers 502, as a failing inbound hook does.
 */
import type { Automation } from '../../../domain/automations.js';
import { findAutomationForRun, listAllAutomations } from '../../../store/automations.js';
import type { Organisation } from '../../../store/organisations.js';
import type { EngineDeps } from '../../deps.js';
import { error, json, readResponse } from '../../inbound/inbound-answer.js';
import { answersCall, type InboundCall, type InboundRoute } from '../../inbound/inbound-route.js';
import { runAutomation } from '../run-automation.js';
import { orgInfo } from '../../../domain/organisations.js';

const answers = (automation: Automation, call: InboundCall): boolean => automation.trigger.type === 'inbound' && answersCall(automation.trigger, call);

/** The organisation's enabled automation for the call's path and method, as an inbound route. */
export async function automationRoute(deps: EngineDeps, org: Organisation, call: InboundCall): Promise<InboundRoute | undefined> {
  const { db } = deps.store;
  const automation = (await listAllAutomations(db, [org.id], { enabledOnly: true })).find((a) => answers(a, call));
  if (!automation) return undefined;
  return {
    id: automation.id,
    owner: { automationId: automation.id },
    noun: 'the automation',
    async open() {
      const full = await findAutomationForRun(db, deps.secretBox, org.id, automation.id);
      if (!full?.enabled || full.trigger.type !== 'inbound') return undefined;
      return {
        ...(full.trigger.verify && { verify: full.trigger.verify }),
        verifySecret: full.verifySecret,
        async answer(body, { executionId, record }) {
          const trigger = { method: call.method, path: call.path, headers: call.headers, query: call.query, body: body !== undefined ? body : call.rawBody.toString('utf8') };
          const { reply, ...outcome } = await runAutomation(deps, {
            automation: full,
            org: orgInfo(org),
            triggerType: 'inbound',
            input: { trigger },
            executionId,
            depth: 1,
            verifySecret: full.verifySecret,
          });
          if (outcome.status === 'failed' || outcome.status === 'timed_out') {
            record(outcome);
            return error(502, 'HY_BAD_GATEWAY', 'the automation failed');
          }
          const answer = reply === undefined ? json(200, { ok: true }) : readResponse(reply);
          if (typeof answer === 'string') {
            record({ ...outcome, status: 'failed', error: { message: `the respond action's reply is not valid: ${answer}` } });
            return error(502, 'HY_BAD_GATEWAY', 'the automation failed');
          }
          record(outcome);
          return answer;
        },
      };
    },
  };
}
