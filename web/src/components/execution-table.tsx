/** Executions as a table, each linking to its page. */
import { Link } from 'react-router';
import type { Execution } from '../api/client';
import { StatusBadge } from './status-badge';

export function ExecutionTable({ executions }: { executions: readonly Execution[] }) {
  if (executions.length === 0) return <p>No executions.</p>;
  return (
    <div className="table-wrap">
      <table data-testid="executions">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Pages</th>
            <th scope="col">Processed</th>
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
              <td>{execution.pages}</td>
              <td>{execution.counts.processed}</td>
              <td>{execution.durationMs === null ? '—' : `${execution.durationMs} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
