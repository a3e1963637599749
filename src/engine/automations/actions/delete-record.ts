/**
 * `delete_record` (`entityType`, `id` or `externalId` + `sourceSystemKey`): deletes an
 * entity as `DELETE /v1/entities/{type}/{id}` does. Its response and record are the
 * entity as it was just before, so later actions can still say what was deleted.
 */
import type { EntityType } from '../../../domain/entity-types.js';
import type { ActionDefinition } from './action.js';
import { checkParams, renderedParams } from './params.js';
import { recordWriter, targetId, targetIssues, targetRules } from './record-write.js';

/** The params of `delete_record`, rendered. */
export interface DeleteRecordParams {
  readonly entityType: EntityType;
  readonly id?: string;
  readonly externalId?: string;
  readonly sourceSystemKey?: string;
  readonly [key: string]: unknown;
}

const RULES = targetRules(false);

const deleteRecord: ActionDefinition<DeleteRecordParams> = {
  type: 'delete_record',
  validate: (params) => [...checkParams(params, RULES, 'saved'), ...targetIssues(params, true)],
  async run(params, ctx) {
    const target = renderedParams<DeleteRecordParams>(params, RULES, (p) => targetIssues(p, true));
    const { operations, caller } = recordWriter(ctx);
    const id = await targetId(ctx, target);
    const before = await operations.get({ principal: caller, type: target.entityType, id, message: { id } });
    const deleted = await operations.delete({ principal: caller, type: target.entityType, id, message: { id } });
    return { responseStatus: deleted.status, response: before.body, record: before.body };
  },
};

export default deleteRecord;
