/** Integrations: the list and, for editors, a form to create one. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { fieldErrors } from '../../api/errors';
import { useCreateIntegration, useIntegrations } from '../../api/integrations';
import { useCan } from '../../api/me';
import { Field, FormError } from '../../components/field';

export function IntegrationList() {
  const integrations = useIntegrations();
  const canEdit = useCan('editor');
  return (
    <>
      <h1>Integrations</h1>
      {integrations.error && <p role="alert">{integrations.error.message}</p>}
      {integrations.data && integrations.data.items.length === 0 && <p>No integrations yet.</p>}
      {integrations.data && integrations.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Source system key</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {integrations.data.items.map((integration) => (
                <tr key={integration.id}>
                  <td>
                    <Link to={`/integrations/${integration.id}`}>{integration.name}</Link>
                  </td>
                  <td className="mono">{integration.sourceSystemKey}</td>
                  <td>{integration.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && <CreateIntegration />}
    </>
  );
}

function CreateIntegration() {
  const create = useCreateIntegration();
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', sourceSystemKey: '', description: '' });
  const errors = fieldErrors(create.error);
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const created = await create.mutateAsync(form).catch(() => undefined);
    if (created) navigate(`/integrations/${created.id}`);
  }

  return (
    <section aria-labelledby="new-integration">
      <h2 id="new-integration">New integration</h2>
      <form onSubmit={submit} className="card">
        <FormError errors={errors} />
        <div className="row">
          <Field label="Name" name="name" errors={errors}>
            <input value={form.name} onChange={set('name')} />
          </Field>
          <Field label="Source system key" name="sourceSystemKey" errors={errors} hint="Short id such as workday; fixed once created.">
            <input value={form.sourceSystemKey} onChange={set('sourceSystemKey')} className="mono" />
          </Field>
        </div>
        <Field label="Description" name="description" errors={errors}>
          <input value={form.description} onChange={set('description')} />
        </Field>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create integration
        </button>
      </form>
    </section>
  );
}
