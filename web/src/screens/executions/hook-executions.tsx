/** A hook's executions: a chart of the last 30 days, and the table, filterable by status and trigger, paged. */
import { Link, useParams } from 'react-router';
import { useHook } from '../../api/hooks';
import { ExecutionsBrowser } from '../../components/executions-browser';

export default function HookExecutions() {
  const { id } = useParams() as { id: string };
  const hook = useHook(id);
  return (
    <>
      <p className="crumbs">
        <Link to={`/hooks/${id}`}>{hook.data?.name ?? 'Hook'}</Link> /
      </p>
      <h1>Executions</h1>
      <ExecutionsBrowser owner={{ hookId: id }} headingLevel={2} />
    </>
  );
}
