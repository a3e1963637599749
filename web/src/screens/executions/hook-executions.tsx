/** A hook's executions: a chart of the last 30 days, and the table, filterable by status and trigger, paged. */
import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import { EXECUTION_STATUSES, useHookExecutions, type ExecutionStatus, type ExecutionTrigger } from '../../api/executions';
import { useHook } from '../../api/hooks';
import { ExecutionTable } from '../../components/execution-table';

const RunsChart = lazy(() => import('../../components/runs-chart'));
const TRIGGERS: ExecutionTrigger[] = ['schedule', 'manual', 'event', 'api', 'inbound', 'automation', 'test', 'retry'] as ExecutionTrigger[];

export default function HookExecutions() {
  const { id } = useParams() as { id: string };
  const hook = useHook(id);
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [trigger, setTrigger] = useState<ExecutionTrigger | ''>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useHookExecutions(id, { ...(status && { status }), ...(trigger && { trigger }), ...(cursor && { cursor }) });
  const recent = useHookExecutions(id, { limit: 500 });

  return (
    <>
      <p className="crumbs">
        <Link to={`/hooks/${id}`}>{hook.data?.name ?? 'Hook'}</Link> /
      </p>
      <h1>Executions</h1>
      <section aria-labelledby="chart-title" className="card">
        <h2 id="chart-title">Last 30 days</h2>
        <Suspense fallback={<p>Loading chart…</p>}>{recent.data && <RunsChart executions={recent.data.items} />}</Suspense>
      </section>
      <div className="row filters">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => { setStatus(e.target.value as ExecutionStatus); setCursors([]); }}>
            <option value="">any</option>
            {EXECUTION_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Trigger{' '}
          <select value={trigger} onChange={(e) => { setTrigger(e.target.value as ExecutionTrigger); setCursors([]); }}>
            <option value="">any</option>
            {TRIGGERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </div>
      {page.data && <ExecutionTable executions={page.data.items} />}
      <div className="actions">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => setCursors([...cursors, page.data!.nextCursor!])}>
          Older
        </button>
      </div>
    </>
  );
}
