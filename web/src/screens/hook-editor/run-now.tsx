/** Run now (pull hooks): queues a run, shows its progress as the server pushes it, then opens the execution. */
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useExecutionEvents } from '../../api/executions';
import { useRunHook } from '../../api/hooks';
import { StatusBadge } from '../../components/status-badge';

export function RunNow({ hookId, disabled }: { hookId: string; disabled: boolean }) {
  const run = useRunHook(hookId);
  const [executionId, setExecutionId] = useState<string>();
  const progress = useExecutionEvents(executionId);
  const navigate = useNavigate();

  useEffect(() => {
    if (progress.done && executionId) {
      const timer = setTimeout(() => navigate(`/executions/${executionId}`), 600);
      return () => clearTimeout(timer);
    }
  }, [progress.done, executionId, navigate]);

  const counts = progress.last?.counts as Record<string, number> | undefined;
  return (
    <>
      <button type="button" disabled={disabled || run.isPending || (executionId !== undefined && !progress.done)} onClick={async () => setExecutionId((await run.mutateAsync().catch(() => undefined))?.executionId)}>
        Run now
      </button>
      {run.error && <span role="alert" className="field-error"> {run.error.message}</span>}
      {executionId && (
        <div className="progress" role="status" aria-live="polite" data-testid="run-progress">
          {progress.last ? (
            <>
              <StatusBadge status={progress.last.status} /> {progress.last.pages} page{progress.last.pages === 1 ? '' : 's'} ·{' '}
              {counts && `${counts.processed} processed, ${counts.created} created, ${counts.updated} updated, ${counts.skipped} skipped, ${counts.failed} failed`}
              {progress.done && ' — opening the execution…'}
            </>
          ) : (
            'queued…'
          )}
          {progress.error && <span className="field-error"> {progress.error}</span>}
        </div>
      )}
    </>
  );
}
