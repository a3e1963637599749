/** Automations: definitions, dry runs, manual runs, executions and the schedule's next runs. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from './client';
import { unwrap } from './errors';

export type AutomationBody = Body<'/v1/automations', 'post'>;

export const useAutomations = () =>
  useQuery({ queryKey: ['automations'], queryFn: async () => unwrap(await api.GET('/v1/automations', { params: { query: { limit: 500 } } })) });

export const useAutomation = (id: string | undefined) =>
  useQuery({ queryKey: ['automations', id], enabled: !!id, queryFn: async () => unwrap(await api.GET('/v1/automations/{id}', { params: { path: { id: id! } } })) });

export function useSaveAutomation(id: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: AutomationBody) =>
      id ? unwrap(await api.PUT('/v1/automations/{id}', { params: { path: { id } }, body })) : unwrap(await api.POST('/v1/automations', { body })),
    onSuccess: (saved) => {
      client.setQueryData(['automations', saved.id], saved);
      return client.invalidateQueries({ queryKey: ['automations'] });
    },
  });
}

export function useSetAutomationEnabled() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, enabled }: { id: string; enabled: boolean }) => unwrap(await api.PATCH('/v1/automations/{id}', { params: { path: { id } }, body: { enabled } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['automations'] }),
  });
}

export function useDeleteAutomation(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/automations/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['automations'] }),
  });
}

export const useTestAutomation = (id: string) =>
  useMutation({ mutationFn: async (body: Body<'/v1/automations/{id}/test', 'post'>) => unwrap(await api.POST('/v1/automations/{id}/test', { params: { path: { id } }, body })) });

export const useRunAutomation = (id: string) =>
  useMutation({ mutationFn: async (body: unknown) => unwrap(await api.POST('/v1/automations/{id}/run', { params: { path: { id } }, body: body as never })) });

export const useAutomationSchedule = (id: string | undefined, enabled: boolean, version?: number) =>
  useQuery({
    queryKey: ['automations', id, 'schedule', version],
    enabled: !!id && enabled,
    retry: false,
    queryFn: async () => unwrap(await api.GET('/v1/automations/{id}/schedule', { params: { path: { id: id! }, query: { count: 5 } } })),
  });
