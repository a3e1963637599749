/** Automations: the list with enable/disable, and a link to make a new one. */
import { Link } from 'react-router';
import { useAutomations, useSetAutomationEnabled } from '../../api/automations';
import { useCan } from '../../api/me';

export default function AutomationList() {
  const automations = useAutomations();
  const toggle = useSetAutomationEnabled();
  const canEdit = useCan('editor');
  return (
    <>
      <div className="title-row">
        <h1>Automations</h1>
        {canEdit && <Link to="/automations/new">New automation</Link>}
      </div>
      {automations.error && <p role="alert">{automations.error.message}</p>}
      {automations.data && automations.data.items.length === 0 && <p>No automations yet.</p>}
      {automations.data && automations.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Trigger</th>
                <th scope="col">Actions</th>
                <th scope="col">Enabled</th>
              </tr>
            </thead>
            <tbody>
              {automations.data.items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/automations/${a.id}`}>{a.name}</Link>
                  </td>
                  <td>{a.trigger.type}</td>
                  <td>{a.actions.map((x) => x.type).join(', ')}</td>
                  <td>
                    <label>
                      <input type="checkbox" checked={a.enabled} disabled={!canEdit || toggle.isPending} onChange={(e) => toggle.mutate({ id: a.id, enabled: e.target.checked })} />
                      <span className="visually-hidden"> {a.name} enabled</span>
                    </label>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
