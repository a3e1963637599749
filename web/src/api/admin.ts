/** API keys (admins) and custom attribute definitions. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from './client';
import { unwrap } from './errors';

export const useApiKeys = () => useQuery({ queryKey: ['api-keys'], queryFn: async () => unwrap(await api.GET('/v1/api-keys', { params: { query: { limit: 500 } } })) });

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Body<'/v1/api-keys', 'post'>) => unwrap(await api.POST('/v1/api-keys', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export const useCustomAttributes = () =>
  useQuery({ queryKey: ['custom-attributes'], queryFn: async () => unwrap(await api.GET('/v1/custom-attributes', { params: { query: { limit: 500 } } })) });

export function useCreateCustomAttribute() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Body<'/v1/custom-attributes', 'post'>) => unwrap(await api.POST('/v1/custom-attributes', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['custom-attributes'] }),
  });
}

export function useDeleteCustomAttribute() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/v1/custom-attributes/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['custom-attributes'] }),
  });
}
