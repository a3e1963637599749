/** How an entity of each type is named in a list: its most telling fields. */
import type { EntityType } from '../../api/client';

export const TITLE_FIELDS: Record<EntityType, string[]> = {
  employee: ['firstName', 'lastName', 'email'],
  vacancy: ['role', 'status'],
  contractor: ['name', 'email'],
  project: ['name', 'projectCode', 'status'],
  assignment: ['role', 'startDate', 'endDate'],
};

/** Fields that are not the entity's own data. */
export const META_FIELDS = new Set(['id', 'type', 'createdAt', 'updatedAt', 'version', 'customAttributes', 'links']);

export const show = (value: unknown): string => (value === undefined || value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));
