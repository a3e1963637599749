/** Integrations and their secrets. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from './client';
import { unwrap } from './errors';

export const useIntegrations = () =>
  useQuery({ queryKey: ['integrations'], queryFn: async () => unwrap(await api.GET('/v1/integrations', { params: { query: { limit: 500 } } })) });

export const useIntegration = (id: string) =>
  useQuery({ queryKey: ['integrations', id], queryFn: async () => unwrap(await api.GET('/v1/integrations/{id}', { params: { path: { id } } })) });

export function useCreateIntegration() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Body<'/v1/integrations', 'post'>) => unwrap(await api.POST('/v1/integrations', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['integrations'] }),
  });
}

export function useUpdateIntegration(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Body<'/v1/integrations/{id}', 'patch'>) => unwrap(await api.PATCH('/v1/integrations/{id}', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['integrations'] }),
  });
}

export function useDeleteIntegration(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/integrations/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['integrations'] }),
  });
}

export const useIntegrationSecrets = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: ['integrations', id, 'secrets'],
    enabled,
    queryFn: async () => unwrap(await api.GET('/v1/integrations/{id}/secrets', { params: { path: { id } } })),
  });

export function usePutSecret(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, value }: { name: string; value: string }) =>
      unwrap(await api.PUT('/v1/integrations/{id}/secrets/{name}', { params: { path: { id, name } }, body: { value } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['integrations', id, 'secrets'] }),
  });
}

export function useDeleteSecret(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) => unwrap(await api.DELETE('/v1/integrations/{id}/secrets/{name}', { params: { path: { id, name } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['integrations', id, 'secrets'] }),
  });
}
