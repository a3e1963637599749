/**
 * `update_record` (`entityType`, `id` or `externalId` + `sourceSystemKey`, `data`):
 * changes an entity as `PATCH /v1/entities/{type}/{id}` does (fields present are set,
 * null clears an optional field, absent fields stay).
 */
import type { EntityType } from '../../../domain/entity-types.js';
import type { ActionDefinition } from './action.js';
import { checkParams, renderedParams } from './params.js';
import { recordWriter, targetId, targetIssues, targetRules } from './record-write.js';

/** The params of `update_record`, rendered. */
export interface UpdateRecordParams {
  readonly entityType: EntityType;
  readonly id?: string;
  readonly externalId?: string;
  readonly sourceSystemKey?: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

const RULES = targetRules(true);

const updateRecord: ActionDefinition<UpdateRecordParams> = {
  type: 'update_record',
  validate: (params) => [...checkParams(params, RULES, 'saved'), ...targetIssues(params, true)],
  async run(params, ctx) {
    const target = renderedParams<UpdateRecordParams>(params, RULES, (p) => targetIssues(p, true));
    const { operations, caller } = recordWriter(ctx);
    const id = await targetId(ctx, target);
    const updated = await operations.update({ principal: caller, type: target.entityType, id, message: target.data });
    return { responseStatus: updated.status, response: updated.body, record: updated.body };
  },
};

export default updateRecord;
