/**
 * `create_record` (`entityType`, `data`, and optionally `externalId` + `sourceSystemKey`):
 * creates an entity as `POST /v1/entities/{type}` does. With `externalId`, the new
 * entity is linked to that record of the source system in the same transaction, so later
 * actions (and syncs) find it by it; a record that is linked already is refused (409).
 */
import type { EntityType } from '../../../domain/entity-types.js';
import { HookyardError } from '../../../domain/errors.js';
import { resolveExternalReference } from '../../../store/entities.js';
import { insertLinks } from '../../../store/external-links.js';
import { inTransaction } from '../../../store/transaction.js';
import { createEntityOperations, type LinkedEntity } from '../../entity-operations.js';
import type { ActionDefinition } from './action.js';
import { checkParams, renderedParams } from './params.js';
import { recordWriter, targetIssues, targetRules } from './record-write.js';

/** The params of `create_record`, rendered. */
export interface CreateRecordParams {
  readonly entityType: EntityType;
  readonly data: Readonly<Record<string, unknown>>;
  readonly externalId?: string;
  readonly sourceSystemKey?: string;
  readonly [key: string]: unknown;
}

const RULES = targetRules(true);

const createRecord: ActionDefinition<CreateRecordParams> = {
  type: 'create_record',
  validate: (params) => [...checkParams(params, RULES, 'saved'), ...targetIssues(params, false)],
  async run(params, ctx) {
    const { entityType, data, externalId, sourceSystemKey } = renderedParams<CreateRecordParams>(params, RULES, (p) => targetIssues(p, false));
    const { operations, caller } = recordWriter(ctx);
    const { store } = ctx.deps;
    let created;
    if (externalId === undefined || sourceSystemKey === undefined) {
      created = await operations.create({ principal: caller, type: entityType, message: data });
    } else {
      const scope = { orgId: ctx.orgId, sourceSystemKey };
      created = await inTransaction(store.db, async (trx) => {
        const linked = await resolveExternalReference(trx, ctx.orgId, sourceSystemKey, entityType, externalId);
        if (linked !== undefined) {
          throw new HookyardError('HY_CONFLICT', `${externalId} of source system ${sourceSystemKey} is linked to ${entityType} ${linked} already; update_record changes it`);
        }
        const answer = await createEntityOperations({ db: trx, engine: store.engine }).create({ principal: caller, type: entityType, message: data });
        // No sync wrote it, so no fingerprint: the next sync of the record writes its own.
        await insertLinks(trx, scope, [{ entityType, externalId, entityId: (answer.body as LinkedEntity).id, fingerprint: '' }]);
        return answer;
      });
      // Read back as the API shows it: with the link just made.
      const id = (created.body as LinkedEntity).id;
      created = { ...created, body: (await operations.get({ principal: caller, type: entityType, id, message: { id } })).body };
    }
    return { responseStatus: created.status, response: created.body, record: created.body };
  },
};

export default createRecord;
