/** Entities of each type, read through the entity API. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type EntityType } from './client';
import { unwrap } from './errors';

export const useEntities = (type: EntityType, cursor?: string) =>
  useQuery({
    queryKey: ['entities', type, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () => unwrap(await api.GET('/v1/entities/{type}', { params: { path: { type }, query: { limit: 50, ...(cursor && { cursor }) } } })),
  });

export const useEntity = (type: EntityType, id: string) =>
  useQuery({ queryKey: ['entities', type, id], queryFn: async () => unwrap(await api.GET('/v1/entities/{type}/{id}', { params: { path: { type, id } } })) });
