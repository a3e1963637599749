/** Entities: pick a type, page through its records. */
import { useState } from 'react';
import { Link, NavLink, useParams } from 'react-router';
import type { EntityType } from '../../api/client';
import { useEntities } from '../../api/entities';
import { ENTITY_TYPES } from '../../components/entity-types';
import { show, TITLE_FIELDS } from './entity-fields';

export default function Entities() {
  const type = (useParams().type ?? 'employee') as EntityType;
  return (
    <>
      <h1>Entities</h1>
      <nav aria-label="Entity types" className="tabs">
        {ENTITY_TYPES.map((t) => (
          <NavLink key={t} to={`/entities/${t}`} className={() => (t === type ? 'active' : '')} aria-current={t === type ? 'page' : undefined}>
            {t}
          </NavLink>
        ))}
      </nav>
      <EntityTable type={type} key={type} />
    </>
  );
}

function EntityTable({ type }: { type: EntityType }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const page = useEntities(type, cursors.at(-1));
  const fields = TITLE_FIELDS[type];
  if (page.error) return <p role="alert">{page.error.message}</p>;
  if (!page.data) return <p>Loading…</p>;
  const items = page.data.items as Array<Record<string, unknown> & { id: string; links: { sourceSystemKey: string; externalId: string }[] }>;
  return (
    <>
      {items.length === 0 ? (
        <p>No {type} records.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {fields.map((f) => (
                  <th scope="col" key={f}>
                    {f}
                  </th>
                ))}
                <th scope="col">Linked to</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  {fields.map((f, i) => (
                    <td key={f}>{i === 0 ? <Link to={`/entities/${type}/${item.id}`}>{show(item[f])}</Link> : show(item[f])}</td>
                  ))}
                  <td className="mono">{item.links.map((l) => `${l.sourceSystemKey}:${l.externalId}`).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={!page.data.nextCursor} onClick={() => setCursors([...cursors, page.data.nextCursor!])}>
          Next
        </button>
      </div>
    </>
  );
}
