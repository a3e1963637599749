/** Executions: lists per hook, one execution, retries, and the live progress stream. */
import { useEffect, useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Execution, type paths } from './client';
import { unwrap } from './errors';

export type ExecutionStatus = Execution['status'];
export type ExecutionTrigger = Execution['trigger'];
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['queued', 'running', 'completed', 'failed', 'timed_out', 'skipped'];
/** Every trigger an execution may have, in the order filters list them. */
export const EXECUTION_TRIGGERS: readonly ExecutionTrigger[] = ['schedule', 'manual', 'event', 'api', 'inbound', 'automation', 'test', 'retry'];
type ExecutionQuery = NonNullable<paths['/v1/hooks/{id}/executions']['get']['parameters']['query']>;

/** Whose executions a list shows. */
export type ExecutionOwner = { readonly hookId: string } | { readonly automationId: string };

/** A page of a hook's or an automation's executions (the two routes take the same query). */
export const useExecutionsOf = (owner: ExecutionOwner, query: Partial<ExecutionQuery>) =>
  useQuery({
    queryKey: 'hookId' in owner ? ['hooks', owner.hookId, 'executions', query] : ['automations', owner.automationId, 'executions', query],
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const options = { params: { path: { id: 'hookId' in owner ? owner.hookId : owner.automationId }, query: { limit: 50, ...query } } };
      return unwrap('hookId' in owner ? await api.GET('/v1/hooks/{id}/executions', options) : await api.GET('/v1/automations/{id}/executions', options));
    },
  });

/** One execution; read again every second while it is queued or running (a retry or a run by hand opens it then). */
export const useExecution = (id: string) =>
  useQuery({
    queryKey: ['executions', id],
    queryFn: async () => unwrap(await api.GET('/v1/executions/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data?.status === 'queued' || query.state.data?.status === 'running' ? 1000 : false),
  });

export function useRetryExecution(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/executions/{id}/retry', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['hooks'] }),
  });
}

/** One message of `GET /v1/executions/{id}/events`. */
export interface ProgressEvent {
  readonly status: ExecutionStatus;
  readonly pages: number;
  readonly counts: Execution['counts'];
}

/** Splits a server-sent event stream into its messages' `event` and parsed `data`. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: unknown }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (data) yield { event, data: JSON.parse(data) };
    }
  }
}

/**
 * The live progress of an execution, pushed by the server (a stream read with the
 * client, which sends the key in a header as EventSource cannot). `done` once the
 * stream says the run ended.
 */
export function useExecutionEvents(id: string | undefined): { last?: ProgressEvent; done: boolean; error?: string } {
  const [state, setState] = useState<{ last?: ProgressEvent; done: boolean; error?: string }>({ done: false });
  useEffect(() => {
    if (!id) return;
    const abort = new AbortController();
    setState({ done: false });
    void (async () => {
      try {
        const { response } = await api.GET('/v1/executions/{id}/events', { params: { path: { id } }, parseAs: 'stream', signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`the progress stream answered ${response.status}`);
        for await (const { event, data } of readEvents(response.body)) {
          setState({ last: data as ProgressEvent, done: event === 'end' });
          if (event === 'end') return;
        }
      } catch (error) {
        if (!abort.signal.aborted) setState((s) => ({ ...s, error: (error as Error).message }));
      }
    })();
    return () => abort.abort();
  }, [id]);
  return state;
}
