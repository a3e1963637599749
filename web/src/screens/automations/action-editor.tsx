/** One action: its type, name, error handling, and either params that always apply or cases (when … / else). */
import { Field } from '../../components/field';
import { ACTION_PARAMS, ACTION_TYPES, newCondition, parseValue, replaceAt, showValue, type ActionCase, type ActionType, type AutomationAction } from './automation-model';
import { ConditionEditor } from './condition-editor';

type Params = Readonly<Record<string, unknown>>;

function ParamsEditor({ type, params, onChange, path, errors }: { type: ActionType; params: Params; onChange: (p: Params) => void; path: string; errors: Record<string, string> }) {
  const set = (key: string, value: unknown) => {
    const next: Record<string, unknown> = { ...params, [key]: value };
    if (value === undefined || value === '') delete next[key];
    onChange(next);
  };
  return (
    <div className="row params">
      {ACTION_PARAMS[type].map((spec) => (
        <Field key={spec.key} label={spec.key} name={`${path}.${spec.key}`} errors={errors}>
          {spec.kind === 'json' ? (
            <textarea className="mono" rows={2} spellCheck={false} value={showValue(params[spec.key])} onChange={(e) => set(spec.key, e.target.value === '' ? undefined : parseValue(e.target.value))} />
          ) : (
            <input
              type={spec.kind === 'number' ? 'number' : 'text'}
              value={showValue(params[spec.key])}
              onChange={(e) => set(spec.key, spec.kind === 'number' && e.target.value !== '' ? Number(e.target.value) : e.target.value)}
            />
          )}
        </Field>
      ))}
    </div>
  );
}

interface Props {
  readonly action: AutomationAction;
  readonly index: number;
  readonly onChange: (action: AutomationAction | undefined) => void;
  readonly errors: Record<string, string>;
}

export function ActionEditor({ action, index, onChange, errors }: Props) {
  const path = `actions.${index}`;
  const cases = action.cases;
  const setCases = (list: ActionCase[]) => onChange({ ...action, cases: list });
  return (
    <fieldset className="action" aria-label={`action ${index + 1}`}>
      <legend>Action {index + 1}</legend>
      <div className="row">
        <Field label="Action type" name={`${path}.type`} errors={errors}>
          <select value={action.type} onChange={(e) => onChange({ ...action, type: e.target.value as ActionType })}>
            {ACTION_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Action name" name={`${path}.name`} errors={errors} hint="for {{actions.NAME…}} in later actions">
          <input value={action.name ?? ''} onChange={(e) => onChange({ ...action, name: e.target.value || undefined })} />
        </Field>
        <Field label="On error" name={`${path}.onError`} errors={errors}>
          <select value={action.onError ?? 'stop'} onChange={(e) => onChange({ ...action, onError: e.target.value as 'stop' | 'continue' })}>
            <option value="stop">stop the run</option>
            <option value="continue">go on</option>
          </select>
        </Field>
        <label className="inline">
          <input
            type="checkbox"
            checked={cases !== undefined}
            onChange={(e) => {
              const { params, cases: _c, ...rest } = action;
              onChange(e.target.checked ? { ...rest, cases: [{ when: { all: [newCondition()] }, params: params ?? {} }] } : { ...rest, params: (cases?.[0]?.params as Params) ?? {} });
            }}
          />{' '}
          With cases
        </label>
      </div>
      {cases === undefined ? (
        <ParamsEditor type={action.type} params={action.params ?? {}} onChange={(params) => onChange({ ...action, params })} path={`${path}.params`} errors={errors} />
      ) : (
        <ol className="cases">
          {cases.map((c, i) => (
            <li key={i} className="case" aria-label={`case ${i + 1}`}>
              {'else' in c ? (
                <p>
                  <strong>Otherwise</strong>
                </p>
              ) : (
                <>
                  <p>
                    <strong>When</strong>
                  </p>
                  <ConditionEditor condition={c.when} onChange={(when) => setCases(replaceAt(cases, i, when ? { ...c, when } : { when: { all: [] }, params: c.params }))} path={`${path}.cases.${i}.when`} errors={errors} />
                </>
              )}
              <ParamsEditor type={action.type} params={c.params} onChange={(params) => setCases(replaceAt(cases, i, { ...c, params } as ActionCase))} path={`${path}.cases.${i}.params`} errors={errors} />
              <button type="button" onClick={() => setCases(replaceAt(cases, i, undefined))}>
                Remove case
              </button>
            </li>
          ))}
          <li className="actions">
            <button type="button" onClick={() => setCases([...cases.filter((c) => !('else' in c)), { when: { all: [newCondition()] }, params: {} }, ...cases.filter((c) => 'else' in c)])}>
              Add case
            </button>
            {!cases.some((c) => 'else' in c) && (
              <button type="button" onClick={() => setCases([...cases, { else: true, params: {} }])}>
                Add “otherwise” case
              </button>
            )}
          </li>
        </ol>
      )}
      <button type="button" className="danger" onClick={() => onChange(undefined)}>
        Remove action
      </button>
    </fieldset>
  );
}
