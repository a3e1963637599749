/**
 * The automation form builder: name, trigger, nested conditions, actions with cases, and
 * a JSON view of the same definition. Both edit one value: a change in either shows in
 * the other at once (JSON that does not parse is kept as typed, with its error, until it does).
 */
import { useEffect, useState } from 'react';
import { Field } from '../../components/field';
import { ActionEditor } from './action-editor';
import { newCondition, replaceAt, type AutomationDefinition } from './automation-model';
import { ConditionEditor } from './condition-editor';
import { TriggerEditor } from './trigger-editor';

export interface AutomationFormProps {
  readonly value: AutomationDefinition;
  readonly onChange: (value: AutomationDefinition) => void;
  /** Messages by input name (`trigger.path`, `actions.0.cases.1.params.subject`). */
  readonly errors?: Record<string, string>;
  readonly nextRuns?: readonly string[];
  readonly readOnly?: boolean;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function JsonView({ value, onChange, readOnly }: { value: AutomationDefinition; onChange: (v: AutomationDefinition) => void; readOnly: boolean }) {
  const [text, setText] = useState(() => pretty(value));
  const [error, setError] = useState<string>();
  // A change made in the form replaces the text, unless the text already says the same.
  useEffect(() => {
    setText((current) => {
      try {
        if (pretty(JSON.parse(current)) === pretty(value)) return current;
      } catch {
        // The text does not parse: the form's change wins.
      }
      return pretty(value);
    });
    setError(undefined);
  }, [value]);
  return (
    <div className="field">
      <label htmlFor="automation-json">JSON</label>
      <textarea
        id="automation-json"
        className="mono json-view"
        spellCheck={false}
        rows={24}
        readOnly={readOnly}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'automation-json-error' : undefined}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const parsed = JSON.parse(e.target.value);
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object');
            setError(undefined);
            onChange(parsed);
          } catch (thrown) {
            setError((thrown as Error).message);
          }
        }}
      />
      {error && (
        <small id="automation-json-error" className="field-error" role="alert">
          Not valid JSON yet: {error}
        </small>
      )}
    </div>
  );
}

export function AutomationForm({ value, onChange, errors = {}, nextRuns, readOnly = false }: AutomationFormProps) {
  const set = (change: Partial<AutomationDefinition>) => onChange({ ...value, ...change });
  const actions = value.actions ?? [];
  return (
    <div className="automation-form">
      <fieldset disabled={readOnly} className="builder">
        <div className="row">
          <Field label="Automation name" name="name" errors={errors}>
            <input value={value.name ?? ''} onChange={(e) => set({ name: e.target.value })} />
          </Field>
          <Field label="Description" name="description" errors={errors}>
            <input value={value.description ?? ''} onChange={(e) => set({ description: e.target.value || undefined })} />
          </Field>
          <label className="inline">
            <input type="checkbox" name="enabled" checked={value.enabled ?? false} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
          </label>
        </div>
        {value.trigger && <TriggerEditor trigger={value.trigger} onChange={(trigger) => set({ trigger })} errors={errors} nextRuns={nextRuns} />}
        <fieldset>
          <legend>Conditions</legend>
          {value.conditions ? (
            <ConditionEditor condition={value.conditions} onChange={(conditions) => set({ conditions })} path="conditions" errors={errors} />
          ) : (
            <p>
              Always runs.{' '}
              <button type="button" onClick={() => set({ conditions: { all: [newCondition()] } })}>
                Add conditions
              </button>
            </p>
          )}
          {value.conditions && (
            <button type="button" onClick={() => set({ conditions: undefined })}>
              Remove all conditions
            </button>
          )}
        </fieldset>
        <h3>Actions</h3>
        {errors.actions && (
          <p className="field-error" role="alert">
            {errors.actions}
          </p>
        )}
        {actions.map((action, i) => (
          <ActionEditor key={i} action={action} index={i} onChange={(a) => set({ actions: replaceAt(actions, i, a) })} errors={errors} />
        ))}
        <button type="button" onClick={() => set({ actions: [...actions, { type: 'log', params: { level: 'info', message: '' } }] })}>
          Add action
        </button>
      </fieldset>
      <JsonView value={value} onChange={onChange} readOnly={readOnly} />
    </div>
  );
}
