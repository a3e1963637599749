/** Conditions, nested freely: all / any groups, not, and field tests. `path` names inputs as the API does. */
import { Field } from '../../components/field';
import { CONDITION_OPS, VALUELESS_OPS, conditionKind, newCondition, parseValue, replaceAt, showValue, type Condition, type ConditionOp, type FieldCondition } from './automation-model';

interface Props {
  readonly condition: Condition;
  readonly onChange: (condition: Condition | undefined) => void;
  /** Input name prefix, e.g. `conditions` or `actions.0.cases.1.when`. */
  readonly path: string;
  readonly errors: Record<string, string>;
  readonly depth?: number;
}

function FieldTest({ condition, onChange, path, errors }: Omit<Props, 'condition'> & { condition: FieldCondition }) {
  const { value, ...rest } = condition;
  const setOp = (op: ConditionOp) => onChange(VALUELESS_OPS.has(op) ? { field: rest.field, op } : { ...rest, op, value: value ?? '' });
  return (
    <div className="row condition" role="group" aria-label={`condition ${path}`}>
      <Field label="Field" name={`${path}.field`} errors={errors}>
        <input className="mono" value={condition.field} onChange={(e) => onChange({ ...condition, field: e.target.value })} />
      </Field>
      <Field label="Test" name={`${path}.op`} errors={errors}>
        <select value={condition.op} onChange={(e) => setOp(e.target.value as ConditionOp)}>
          {CONDITION_OPS.map((op) => (
            <option key={op}>{op}</option>
          ))}
        </select>
      </Field>
      {!VALUELESS_OPS.has(condition.op) && (
        <Field label="Value" name={`${path}.value`} errors={errors} hint={condition.op === 'in' ? 'a JSON array' : undefined}>
          <input value={showValue(value)} onChange={(e) => onChange({ ...rest, value: parseValue(e.target.value) })} />
        </Field>
      )}
      <button type="button" onClick={() => onChange(undefined)} aria-label={`Remove condition ${path}`}>
        Remove
      </button>
    </div>
  );
}

export function ConditionEditor({ condition, onChange, path, errors, depth = 0 }: Props) {
  const kind = conditionKind(condition);
  if (kind === 'field') return <FieldTest condition={condition as FieldCondition} onChange={onChange} path={path} errors={errors} />;
  if (kind === 'not') {
    const inner = (condition as { not: Condition }).not;
    return (
      <fieldset className="group">
        <legend>not</legend>
        <ConditionEditor condition={inner} onChange={(c) => onChange(c ? { not: c } : undefined)} path={`${path}.not`} errors={errors} depth={depth + 1} />
        <button type="button" onClick={() => onChange(inner)}>
          Drop “not”
        </button>
      </fieldset>
    );
  }
  const children = (condition as Record<'all' | 'any', readonly Condition[]>)[kind as 'all' | 'any'];
  const set = (list: Condition[]) => onChange((kind === "all" ? { all: list } : { any: list }) as Condition);
  return (
    <fieldset className="group" aria-label={`${kind} group ${path}`}>
      <legend>
        <select aria-label={`match ${path}`} value={kind} onChange={(e) => onChange(e.target.value === 'all' ? { all: children } : { any: children })}>
          <option value="all">all of</option>
          <option value="any">any of</option>
        </select>
      </legend>
      {errors[`${path}.${kind}`] && (
        <small className="field-error" role="alert">
          {errors[`${path}.${kind}`]}
        </small>
      )}
      {children.map((child, i) => (
        <ConditionEditor key={i} condition={child} onChange={(c) => set(replaceAt(children, i, c))} path={`${path}.${kind}.${i}`} errors={errors} depth={depth + 1} />
      ))}
      <div className="actions">
        <button type="button" onClick={() => set([...children, newCondition()])}>
          Add condition
        </button>
        <button type="button" onClick={() => set([...children, { any: [newCondition()] }])}>
          Add group
        </button>
        <button type="button" onClick={() => set([...children, { not: newCondition() }])}>
          Add “not”
        </button>
        {depth > 0 && (
          <button type="button" onClick={() => onChange(undefined)}>
            Remove group
          </button>
        )}
      </div>
    </fieldset>
  );
}
