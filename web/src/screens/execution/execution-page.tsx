/** One execution: what happened, the error at the hook's line, logs, HTTP log; retry for a failed push run. */
import { Link, useNavigate, useParams } from 'react-router';
import { useExecution, useRetryExecution } from '../../api/executions';
import { useHook } from '../../api/hooks';
import { useCan } from '../../api/me';
import { ExecutionDetails } from '../../components/execution-details';

export function ExecutionPage() {
  const { id } = useParams() as { id: string };
  const execution = useExecution(id);
  const hook = useHook(execution.data?.hookId);
  const retry = useRetryExecution(id);
  const canEdit = useCan('editor');
  const navigate = useNavigate();
  if (execution.error) return <p role="alert">{execution.error.message}</p>;
  if (!execution.data) return <p>Loading…</p>;
  const data = execution.data;
  const canRetry = canEdit && hook.data?.type === 'push' && (data.status === 'failed' || data.status === 'timed_out');
  return (
    <>
      <p className="crumbs">
        {data.hookId && <Link to={`/hooks/${data.hookId}/executions`}>{hook.data?.name ?? 'Hook'} executions</Link>}
        {data.automationId && <Link to={`/automations/${data.automationId}`}>Automation</Link>} /
      </p>
      <h1>Execution</h1>
      <p className="mono hint">
        {data.id} · {new Date(data.createdAt).toLocaleString()} · attempt {data.attempt}
      </p>
      {canRetry && (
        <p>
          <button type="button" onClick={async () => { const queued = await retry.mutateAsync().catch(() => undefined); if (queued) navigate(`/executions/${queued.executionId}`); }}>
            Retry
          </button>
          {retry.error && <span role="alert" className="field-error"> {retry.error.message}</span>}
        </p>
      )}
      <ExecutionDetails execution={data} code={hook.data?.code} />
    </>
  );
}
