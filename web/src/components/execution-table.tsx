/** Executions as a table, each linking to its page; `records`: with their pages and records processed (a hook's). */
import { Link } from 'react-router';
import type { Execution } from '../api/client';
import { StatusBadge } from './status-badge';

export function ExecutionTable({ executions, records }: { executions: readonly Execution[]; records: boolean }) {
  if (executions.length === 0) return <p>No executions.</p>;
  return (
    <div className="table-wrap">
      <table data-testid="executions">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            {records && <th scope="col">Pages</th>}
            {records && <th scope="col">Processed</th>}
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((execution) => (
            <tr key={execution.id}>
              <td>
                <Link to={`/executions/${execution.id}`}>{new Date(execution.startedAt ?? execution.createdAt).toLocaleString()}</Link>
              </td>
              <td>
                <StatusBadge status={execution.status} />
                {execution.dryRun && ' (dry run)'}
              </td>
              <td>{execution.trigger}</td>
              {records && <td>{execution.pages}</td>}
              {records && <td>{execution.counts.processed}</td>}
              <td>{execution.durationMs === null ? '—' : `${execution.durationMs} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
