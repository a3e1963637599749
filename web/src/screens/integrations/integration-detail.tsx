/** One integration: its settings, its secrets and its hooks. */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { fieldErrors } from '../../api/errors';
import { useDeleteIntegration, useIntegration, useUpdateIntegration } from '../../api/integrations';
import { useCan } from '../../api/me';
import { ConfirmButton } from '../../components/confirm-button';
import { Field, FormError } from '../../components/field';
import { UnsavedGuard } from '../../components/unsaved-guard';
import { HookList } from './hook-list';
import { SecretList } from './secret-list';

export function IntegrationDetail() {
  const { id } = useParams() as { id: string };
  const integration = useIntegration(id);
  const canEdit = useCan('editor');
  const update = useUpdateIntegration(id);
  const remove = useDeleteIntegration(id);
  const navigate = useNavigate();
  const [form, setForm] = useState<{ name: string; description: string } | null>(null);

  useEffect(() => {
    if (integration.data && !form) setForm({ name: integration.data.name, description: integration.data.description });
  }, [integration.data, form]);

  if (integration.error) return <p role="alert">{integration.error.message}</p>;
  if (!integration.data || !form) return <p>Loading…</p>;
  const data = integration.data;
  const dirty = form.name !== data.name || form.description !== data.description;
  const errors = fieldErrors(update.error ?? remove.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await update.mutateAsync(form!).catch(() => undefined);
  }

  return (
    <>
      <UnsavedGuard dirty={dirty} />
      <p className="crumbs">
        <Link to="/integrations">Integrations</Link> /
      </p>
      <h1>{data.name}</h1>
      <p>
        Source system key <code>{data.sourceSystemKey}</code>
      </p>
      <form onSubmit={submit} className="card" aria-label="Integration settings">
        <FormError errors={errors} />
        <fieldset disabled={!canEdit}>
          <Field label="Name" name="name" errors={errors}>
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label="Description" name="description" errors={errors}>
            <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </Field>
        </fieldset>
        {canEdit && (
          <div className="actions">
            <button type="submit" className="primary" disabled={!dirty || update.isPending}>
              Save
            </button>
            <ConfirmButton
              label="Delete integration"
              confirm={`Delete ${data.name}, its hooks and secrets?`}
              onConfirm={() => remove.mutateAsync().then(() => navigate('/integrations'), () => undefined)}
            />
          </div>
        )}
      </form>
      <HookList integrationId={id} />
      <SecretList integrationId={id} />
    </>
  );
}
