/** One entity: its fields, custom attributes (with their definitions' labels) and links to source systems. */
import { Link, useParams } from 'react-router';
import { useCustomAttributes } from '../../api/admin';
import type { EntityType } from '../../api/client';
import { useEntity } from '../../api/entities';
import { META_FIELDS, show } from './entity-fields';

export default function EntityPage() {
  const { type, id } = useParams() as { type: EntityType; id: string };
  const entity = useEntity(type, id);
  const definitions = useCustomAttributes();
  if (entity.error) return <p role="alert">{entity.error.message}</p>;
  if (!entity.data) return <p>Loading…</p>;
  const data = entity.data as Record<string, unknown> & { customAttributes: Record<string, unknown>; links: { sourceSystemKey: string; externalId: string; integrationId: string | null }[]; version: number; updatedAt: string };
  const labelOf = (key: string) => definitions.data?.items.find((d) => d.entityType === type && d.key === key)?.label ?? key;
  return (
    <>
      <p className="crumbs">
        <Link to={`/entities/${type}`}>{type}</Link> /
      </p>
      <h1>{type}</h1>
      <p className="hint mono">
        {id} · version {data.version} · updated {new Date(data.updatedAt).toLocaleString()}
      </p>
      <dl className="fields">
        {Object.entries(data)
          .filter(([key]) => !META_FIELDS.has(key))
          .map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{show(value)}</dd>
            </div>
          ))}
      </dl>
      <h2>Custom attributes</h2>
      {Object.keys(data.customAttributes).length === 0 ? (
        <p>None.</p>
      ) : (
        <dl className="fields">
          {Object.entries(data.customAttributes).map(([key, value]) => (
            <div key={key}>
              <dt>{labelOf(key)}</dt>
              <dd>{show(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      <h2>Links</h2>
      {data.links.length === 0 ? (
        <p>Made through the API; linked to no source system.</p>
      ) : (
        <ul className="plain">
          {data.links.map((link) => (
            <li key={`${link.sourceSystemKey}:${link.externalId}`}>
              {link.integrationId ? <Link to={`/integrations/${link.integrationId}`}>{link.sourceSystemKey}</Link> : link.sourceSystemKey} · external id <code>{link.externalId}</code>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
