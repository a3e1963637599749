/** The entity types, in the order screens list them. */
import type { EntityType } from '../api/client';

export const ENTITY_TYPES: readonly EntityType[] = ['employee', 'vacancy', 'contractor', 'project', 'assignment'];
