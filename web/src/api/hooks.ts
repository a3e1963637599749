/** Hooks: definitions, tests (dry runs) and manual runs. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from './client';
import { unwrap } from './errors';

export const useIntegrationHooks = (integrationId: string) =>
  useQuery({
    queryKey: ['integrations', integrationId, 'hooks'],
    queryFn: async () => unwrap(await api.GET('/v1/integrations/{id}/hooks', { params: { path: { id: integrationId }, query: { limit: 500 } } })),
  });

export const useHook = (id: string | null | undefined) =>
  useQuery({ queryKey: ['hooks', id], enabled: !!id, queryFn: async () => unwrap(await api.GET('/v1/hooks/{id}', { params: { path: { id: id! } } })) });

export function useCreateHook(integrationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Body<'/v1/integrations/{id}/hooks', 'post'>) => unwrap(await api.POST('/v1/integrations/{id}/hooks', { params: { path: { id: integrationId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['integrations', integrationId, 'hooks'] }),
  });
}

export function useUpdateHook(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Body<'/v1/hooks/{id}', 'patch'>) => unwrap(await api.PATCH('/v1/hooks/{id}', { params: { path: { id } }, body })),
    onSuccess: (hook) => {
      client.setQueryData(['hooks', id], hook);
      return client.invalidateQueries({ queryKey: ['integrations', hook.integrationId, 'hooks'] });
    },
  });
}

export function useDeleteHook(id: string, integrationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/hooks/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['integrations', integrationId, 'hooks'] }),
  });
}

export const useTestHook = (id: string) =>
  useMutation({ mutationFn: async (body: Body<'/v1/hooks/{id}/test', 'post'>) => unwrap(await api.POST('/v1/hooks/{id}/test', { params: { path: { id } }, body })) });

export const useRunHook = (id: string) =>
  useMutation({ mutationFn: async () => unwrap(await api.POST('/v1/hooks/{id}/run', { params: { path: { id } } })) });
