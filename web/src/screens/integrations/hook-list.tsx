/** An integration's hooks, and for editors a form that starts a new one from its type's template. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { EntityType, HookType } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { useCreateHook, useIntegrationHooks } from '../../api/hooks';
import { useCan } from '../../api/me';
import { Field, FormError } from '../../components/field';
import { ENTITY_TYPES } from '../../components/entity-types';
import { HOOK_TYPES, HOOK_TYPE_FORMS } from '../hook-editor/hook-types';

export function HookList({ integrationId }: { integrationId: string }) {
  const hooks = useIntegrationHooks(integrationId);
  const canEdit = useCan('editor');
  return (
    <section aria-labelledby="hooks">
      <h2 id="hooks">Hooks</h2>
      {hooks.data && hooks.data.items.length === 0 && <p>No hooks yet.</p>}
      {hooks.data && hooks.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Entity type</th>
                <th scope="col">Enabled</th>
              </tr>
            </thead>
            <tbody>
              {hooks.data.items.map((hook) => (
                <tr key={hook.id}>
                  <td>
                    <Link to={`/hooks/${hook.id}`}>{hook.name}</Link>
                  </td>
                  <td>{HOOK_TYPE_FORMS[hook.type].label}</td>
                  <td>{hook.entityType ?? '—'}</td>
                  <td>{hook.enabled ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && <NewHook integrationId={integrationId} />}
    </section>
  );
}

function NewHook({ integrationId }: { integrationId: string }) {
  const create = useCreateHook(integrationId);
  const navigate = useNavigate();
  const [form, setForm] = useState<{ name: string; type: HookType; entityType: EntityType }>({ name: '', type: 'pull', entityType: 'employee' });
  const errors = fieldErrors(create.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const type = HOOK_TYPE_FORMS[form.type];
    // A new hook starts disabled: it runs nothing until its author has tested it.
    const created = await create
      .mutateAsync({ ...type.defaults, name: form.name, type: form.type, entityType: type.needsEntityType ? form.entityType : null, code: type.template, enabled: false })
      .catch(() => undefined);
    if (created) navigate(`/hooks/${created.id}`);
  }

  return (
    <form onSubmit={submit} className="card" aria-label="New hook">
      <h3>New hook</h3>
      <FormError errors={errors} />
      <div className="row">
        <Field label="Hook name" name="name" errors={errors}>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="Type" name="type" errors={errors}>
          <select value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as HookType })}>
            {HOOK_TYPES.map((type) => (
              <option key={type} value={type}>
                {HOOK_TYPE_FORMS[type].label}
              </option>
            ))}
          </select>
        </Field>
        {HOOK_TYPE_FORMS[form.type].needsEntityType && (
          <Field label="Entity type" name="entityType" errors={errors}>
            <select value={form.entityType} onChange={(e) => setForm({ ...form, entityType: e.target.value as EntityType })}>
              {ENTITY_TYPES.map((type) => (
                <option key={type}>{type}</option>
              ))}
            </select>
          </Field>
        )}
      </div>
      <button type="submit" className="primary" disabled={create.isPending}>
        Create hook
      </button>
    </form>
  );
}
