/**
 * An integration's secrets: names and update times (values are write-only). Admins add,
 * replace and delete; editors see the names; viewers see nothing of them.
 */
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/errors';
import { useDeleteSecret, useIntegrationSecrets, usePutSecret } from '../../api/integrations';
import { useCan } from '../../api/me';
import { ConfirmButton } from '../../components/confirm-button';
import { Field, FormError } from '../../components/field';

export function SecretList({ integrationId }: { integrationId: string }) {
  const canSee = useCan('editor');
  const canManage = useCan('admin');
  const secrets = useIntegrationSecrets(integrationId, canSee);
  const put = usePutSecret(integrationId);
  const remove = useDeleteSecret(integrationId);
  const [form, setForm] = useState({ name: '', value: '' });
  if (!canSee) return null;
  const errors = fieldErrors(put.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const saved = await put.mutateAsync(form).catch(() => undefined);
    if (saved) setForm({ name: '', value: '' });
  }

  return (
    <section aria-labelledby="secrets">
      <h2 id="secrets">Secrets</h2>
      <p className="hint">Hooks read them as <code>ctx.secrets.NAME</code>. Values are never shown again.</p>
      {secrets.data && secrets.data.items.length === 0 && <p>No secrets.</p>}
      {secrets.data && secrets.data.items.length > 0 && (
        <ul className="plain">
          {secrets.data.items.map((secret) => (
            <li key={secret.name} className="secret">
              <code>{secret.name}</code> <span className="hint">updated {new Date(secret.updatedAt).toLocaleString()}</span>
              {canManage && (
                <>
                  {' '}
                  <button type="button" onClick={() => setForm({ name: secret.name, value: '' })}>
                    Replace
                  </button>{' '}
                  <ConfirmButton label="Delete" confirm={`Delete ${secret.name}?`} onConfirm={() => remove.mutate(secret.name)} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {canManage && (
        <form onSubmit={submit} className="card" aria-label="Add or replace a secret">
          <FormError errors={errors} />
          <div className="row">
            <Field label="Secret name" name="name" errors={errors}>
              <input className="mono" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
            </Field>
            <Field label="Value" name="value" errors={errors}>
              <input type="password" autoComplete="off" value={form.value} onChange={(e) => setForm({ ...form, value: e.target.value })} />
            </Field>
          </div>
          <button type="submit" className="primary" disabled={put.isPending || !form.name || !form.value}>
            Save secret
          </button>
        </form>
      )}
    </section>
  );
}
