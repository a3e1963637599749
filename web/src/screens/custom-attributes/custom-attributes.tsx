/** Custom attribute definitions: list per entity type, define one, delete. */
import { useState, type FormEvent } from 'react';
import { useCreateCustomAttribute, useCustomAttributes, useDeleteCustomAttribute } from '../../api/admin';
import type { Body, EntityType } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { useCan } from '../../api/me';
import { ConfirmButton } from '../../components/confirm-button';
import { Field, FormError } from '../../components/field';
import { ENTITY_TYPES } from '../../components/entity-types';

type NewDefinition = Body<'/v1/custom-attributes', 'post'>;
const TYPES: NewDefinition['type'][] = ['string', 'number', 'boolean', 'date', 'enum'];

export default function CustomAttributes() {
  const definitions = useCustomAttributes();
  const create = useCreateCustomAttribute();
  const remove = useDeleteCustomAttribute();
  const canEdit = useCan('editor');
  const [form, setForm] = useState({ entityType: 'employee' as EntityType, key: '', label: '', type: 'string' as NewDefinition['type'], options: '' });
  const errors = fieldErrors(create.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { options, ...rest } = form;
    const body = { ...rest, ...(form.type === 'enum' && { options: options.split(',').map((o) => o.trim()).filter(Boolean) }) } as NewDefinition;
    const created = await create.mutateAsync(body).catch(() => undefined);
    if (created) setForm({ ...form, key: '', label: '', options: '' });
  }

  return (
    <>
      <h1>Custom attributes</h1>
      {definitions.data && definitions.data.items.length === 0 && <p>No custom attributes defined.</p>}
      {definitions.data && definitions.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Entity type</th>
                <th scope="col">Key</th>
                <th scope="col">Label</th>
                <th scope="col">Type</th>
                {canEdit && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {definitions.data.items.map((d) => (
                <tr key={d.id}>
                  <td>{d.entityType}</td>
                  <td className="mono">{d.key}</td>
                  <td>{d.label}</td>
                  <td>{d.type === 'enum' ? `enum: ${d.options?.join(', ')}` : d.type}</td>
                  {canEdit && <td><ConfirmButton label="Delete" confirm={`Delete ${d.key}?`} onConfirm={() => remove.mutate(d.id)} /></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && (
        <form onSubmit={submit} className="card" aria-label="New custom attribute">
          <h2>New custom attribute</h2>
          <FormError errors={errors} />
          <div className="row">
            <Field label="Entity type" name="entityType" errors={errors}>
              <select value={form.entityType} onChange={(e) => setForm({ ...form, entityType: e.target.value as EntityType })}>
                {ENTITY_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </Field>
            <Field label="Key" name="key" errors={errors}>
              <input className="mono" value={form.key} onChange={(e) => setForm({ ...form, key: e.target.value })} />
            </Field>
            <Field label="Label" name="label" errors={errors}>
              <input value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} />
            </Field>
            <Field label="Type" name="type" errors={errors}>
              <select value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as NewDefinition['type'] })}>
                {TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </Field>
            {form.type === 'enum' && (
              <Field label="Options (comma-separated)" name="options" errors={errors}>
                <input value={form.options} onChange={(e) => setForm({ ...form, options: e.target.value })} />
              </Field>
            )}
          </div>
          <button type="submit" className="primary" disabled={create.isPending}>
            Define attribute
          </button>
        </form>
      )}
    </>
  );
}
