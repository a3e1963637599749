/** The trigger: entity changes, an inbound URL, a schedule card (with its next runs), or by hand. */
import { Field } from '../../components/field';
import { ENTITY_TYPES } from '../../components/entity-types';
import { TRIGGER_TYPES, WEEKDAYS, newTrigger, type AutomationTrigger, type ScheduleCard } from './automation-model';

interface Props {
  readonly trigger: AutomationTrigger;
  readonly onChange: (trigger: AutomationTrigger) => void;
  readonly errors: Record<string, string>;
  /** The next run times of the saved schedule, when there is one. */
  readonly nextRuns?: readonly string[];
}

const CHANGES = ['create', 'update', 'delete'] as const;
const UNITS = ['minutes', 'hours', 'days', 'weeks', 'months'] as const;

function ScheduleEditor({ card, onChange, errors }: { card: ScheduleCard; onChange: (card: ScheduleCard) => void; errors: Record<string, string> }) {
  const p = 'trigger.schedule';
  const set = (change: Partial<ScheduleCard>) => {
    const next = { ...card, ...change } as Record<string, unknown>;
    for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === '') delete next[key];
    onChange(next as unknown as ScheduleCard);
  };
  return (
    <div className="schedule-card">
      <div className="row">
        <Field label="Runs" name={`${p}.kind`} errors={errors}>
          <select value={card.kind} onChange={(e) => set({ kind: e.target.value as ScheduleCard['kind'], ...(e.target.value === 'once' && { every: undefined, weekdays: undefined, times: undefined }) })}>
            <option value="once">once</option>
            <option value="recurring">recurring</option>
          </select>
        </Field>
        <Field label="Start (local)" name={`${p}.start`} errors={errors}>
          <input type="datetime-local" value={card.start} onChange={(e) => set({ start: e.target.value })} />
        </Field>
        <Field label="Time zone" name={`${p}.timeZone`} errors={errors}>
          <input value={card.timeZone ?? ''} placeholder="the organisation's" onChange={(e) => set({ timeZone: e.target.value || undefined })} />
        </Field>
      </div>
      {card.kind === 'recurring' && (
        <>
          <div className="row">
            <Field label="Every" name={`${p}.every.n`} errors={errors}>
              <input type="number" min={1} value={card.every?.n ?? 1} onChange={(e) => set({ every: { n: Number(e.target.value), unit: card.every?.unit ?? 'days' } })} />
            </Field>
            <Field label="Unit" name={`${p}.every.unit`} errors={errors}>
              <select value={card.every?.unit ?? 'days'} onChange={(e) => set({ every: { n: card.every?.n ?? 1, unit: e.target.value as (typeof UNITS)[number] } })}>
                {UNITS.map((u) => (
                  <option key={u}>{u}</option>
                ))}
              </select>
            </Field>
            <Field label="At times (HH:mm, comma-separated)" name={`${p}.times`} errors={errors}>
              <input value={card.times?.join(', ') ?? ''} onChange={(e) => set({ times: e.target.value ? e.target.value.split(',').map((t) => t.trim()).filter(Boolean) : undefined })} />
            </Field>
          </div>
          <fieldset className="checks">
            <legend>On weekdays (none: every day)</legend>
            {WEEKDAYS.map((day) => (
              <label key={day}>
                <input
                  type="checkbox"
                  checked={card.weekdays?.includes(day) ?? false}
                  onChange={(e) => {
                    const days = e.target.checked ? [...(card.weekdays ?? []), day] : (card.weekdays ?? []).filter((d) => d !== day);
                    set({ weekdays: days.length > 0 ? WEEKDAYS.filter((d) => days.includes(d)) : undefined });
                  }}
                />{' '}
                {day}
              </label>
            ))}
          </fieldset>
          <div className="row">
            <Field label="End (local)" name={`${p}.end`} errors={errors}>
              <input type="datetime-local" value={card.end ?? ''} onChange={(e) => set({ end: e.target.value || undefined })} />
            </Field>
            <Field label="At most runs" name={`${p}.maxRuns`} errors={errors}>
              <input type="number" min={1} value={card.maxRuns ?? ''} onChange={(e) => set({ maxRuns: e.target.value ? Number(e.target.value) : undefined })} />
            </Field>
          </div>
        </>
      )}
    </div>
  );
}

export function TriggerEditor({ trigger, onChange, errors, nextRuns }: Props) {
  return (
    <fieldset>
      <legend>Trigger</legend>
      <Field label="When" name="trigger.type" errors={errors}>
        <select value={trigger.type} onChange={(e) => onChange(newTrigger(e.target.value as AutomationTrigger['type']))}>
          {TRIGGER_TYPES.map((t) => (
            <option key={t} value={t}>
              {{ entity: 'an entity changes', inbound: 'a call arrives (inbound URL)', schedule: 'on a schedule', manual: 'run by hand' }[t]}
            </option>
          ))}
        </select>
      </Field>
      {trigger.type === 'entity' && (
        <div className="row">
          <Field label="Entity type" name="trigger.entityType" errors={errors}>
            <select value={trigger.entityType} onChange={(e) => onChange({ ...trigger, entityType: e.target.value as typeof trigger.entityType })}>
              {ENTITY_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </Field>
          <fieldset className="checks">
            <legend>Changes</legend>
            {CHANGES.map((c) => (
              <label key={c}>
                <input
                  type="checkbox"
                  checked={(trigger.events ?? CHANGES).includes(c)}
                  onChange={(e) => onChange({ ...trigger, events: e.target.checked ? CHANGES.filter((x) => x === c || (trigger.events ?? CHANGES).includes(x)) : (trigger.events ?? CHANGES).filter((x) => x !== c) })}
                />{' '}
                {c}
              </label>
            ))}
          </fieldset>
        </div>
      )}
      {trigger.type === 'inbound' && (
        <div className="row">
          <Field label="Method" name="trigger.method" errors={errors}>
            <select value={trigger.method ?? 'ANY'} onChange={(e) => onChange({ ...trigger, method: e.target.value as never })}>
              {['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="Path" name="trigger.path" errors={errors}>
            <input className="mono" value={trigger.path} onChange={(e) => onChange({ ...trigger, path: e.target.value })} />
          </Field>
        </div>
      )}
      {trigger.type === 'schedule' && (
        <>
          <ScheduleEditor card={trigger.schedule} onChange={(schedule) => onChange({ ...trigger, schedule })} errors={errors} />
          <div className="next-runs" aria-live="polite">
            <strong>Next runs</strong>
            {nextRuns ? (
              nextRuns.length === 0 ? (
                <p>This card runs no more.</p>
              ) : (
                <ol data-testid="next-runs">
                  {nextRuns.map((t) => (
                    <li key={t} className="mono">
                      {t}
                    </li>
                  ))}
                </ol>
              )
            ) : (
              <p className="hint">Save to see the next run times.</p>
            )}
          </div>
        </>
      )}
    </fieldset>
  );
}
