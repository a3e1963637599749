/** Test (a dry run): the fixture for the hook's type, and what the run did or would have done. */
import type { Execution, HookType } from '../../api/client';
import { ExecutionDetails } from '../../components/execution-details';
import { Field } from '../../components/field';
import { JsonField } from '../../components/json-field';
import { HOOK_TYPE_FORMS } from './hook-types';

interface Props {
  readonly type: HookType;
  readonly fixture: string;
  readonly onFixture: (text: string) => void;
  readonly result?: Execution;
  readonly code: string;
  readonly errors: Record<string, string>;
}

export function TestPanel({ type, fixture, onFixture, result, code, errors }: Props) {
  const form = HOOK_TYPE_FORMS[type];
  return (
    <section aria-labelledby="test-title" className="test-panel">
      <h2 id="test-title">Test</h2>
      <p className="hint">A dry run: real HTTP calls, nothing written. Ctrl/⌘ + Enter in the editor saves and tests.</p>
      {form.fixture && (
        <Field label={`Fixture: ctx.${form.fixture.name} (JSON)`} name={form.fixture.name} errors={errors}>
          <JsonField value={fixture} onChange={(e) => onFixture(e.target.value)} placeholder={form.fixture.name === 'meta' ? 'blank: the first page' : ''} />
        </Field>
      )}
      {result && <ExecutionDetails execution={result} code={code} />}
    </section>
  );
}
