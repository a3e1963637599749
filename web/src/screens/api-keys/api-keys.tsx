/** API keys (admins): create one (shown once, with a copy button), list them, revoke. */
import { useState, type FormEvent } from 'react';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../../api/admin';
import type { Role } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { useCan } from '../../api/me';
import { ConfirmButton } from '../../components/confirm-button';
import { CopyButton } from '../../components/copy-button';
import { Field, FormError } from '../../components/field';

export default function ApiKeys() {
  const isAdmin = useCan('admin');
  const keys = useApiKeys();
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [form, setForm] = useState<{ name: string; role: Role }>({ name: '', role: 'viewer' });
  const [shown, setShown] = useState<string>();
  if (!isAdmin) return <p>Only admins manage API keys.</p>;
  const errors = fieldErrors(create.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const created = await create.mutateAsync(form).catch(() => undefined);
    if (created) {
      setShown(created.key);
      setForm({ name: '', role: 'viewer' });
    }
  }

  return (
    <>
      <h1>API keys</h1>
      {shown && (
        <div className="card notice" role="status">
          <p>
            <strong>The new key, shown this once:</strong>
          </p>
          <p>
            <code data-testid="new-key">{shown}</code> <CopyButton text={shown} label="Copy key" />{' '}
            <button type="button" onClick={() => setShown(undefined)}>
              Done
            </button>
          </p>
        </div>
      )}
      <form onSubmit={submit} className="card" aria-label="New API key">
        <FormError errors={errors} />
        <div className="row">
          <Field label="Key name" name="name" errors={errors}>
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label="Role" name="role" errors={errors}>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              <option value="viewer">viewer (read only)</option>
              <option value="editor">editor</option>
              <option value="admin">admin</option>
            </select>
          </Field>
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create key
        </button>
      </form>
      {keys.data && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Prefix</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id}>
                  <td>{key.name || '—'}</td>
                  <td>{key.role}</td>
                  <td className="mono">{key.prefix}…</td>
                  <td>{key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : 'never'}</td>
                  <td>{key.revokedAt ? `revoked ${new Date(key.revokedAt).toLocaleDateString()}` : <ConfirmButton label="Revoke" confirm={`Revoke ${key.name || key.prefix}?`} onConfirm={() => revoke.mutate(key.id)} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
