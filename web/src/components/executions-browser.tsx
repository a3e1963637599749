/**
 * The executions of a hook or an automation: a chart of the last 30 days, and the table,
 * filterable by status and trigger, paged newest first.
 */
import { lazy, Suspense, useState } from 'react';
import { EXECUTION_STATUSES, EXECUTION_TRIGGERS, useExecutionsOf, type ExecutionOwner, type ExecutionStatus, type ExecutionTrigger } from '../api/executions';
import { ExecutionTable } from './execution-table';

const RunsChart = lazy(() => import('./runs-chart'));

/** `headingLevel`: the chart's heading, one below the page's or section's own. */
export function ExecutionsBrowser({ owner, headingLevel }: { owner: ExecutionOwner; headingLevel: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  // A hook's runs have pages and records; an automation's have steps instead.
  const records = 'hookId' in owner;
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [trigger, setTrigger] = useState<ExecutionTrigger | ''>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useExecutionsOf(owner, { ...(status && { status }), ...(trigger && { trigger }), ...(cursor && { cursor }) });
  const recent = useExecutionsOf(owner, { limit: 500 });

  return (
    <>
      <section aria-label="Last 30 days" className="card">
        <Heading>Last 30 days</Heading>
        <p className="hint">Dry runs are listed below but not counted in the charts.</p>
        <Suspense fallback={<p>Loading chart…</p>}>{recent.data && <RunsChart executions={recent.data.items} records={records} />}</Suspense>
      </section>
      <div className="row filters">
        <AnyOf label="Status" value={status} options={EXECUTION_STATUSES} onChange={(s) => { setStatus(s); setCursors([]); }} />
        <AnyOf label="Trigger" value={trigger} options={EXECUTION_TRIGGERS} onChange={(t) => { setTrigger(t); setCursors([]); }} />
      </div>
      {page.data && <ExecutionTable executions={page.data.items} records={records} />}
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

/** A filter: one of `options`, or any (''). */
function AnyOf<T extends string>({ label, value, options, onChange }: { label: string; value: T | ''; options: readonly T[]; onChange: (value: T | '') => void }) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as T | '')}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </label>
  );
}
