/**
 * One automation (or a new one): the form builder with its JSON view, Save, Test with a
 * fixture (the run's steps), Run now, and its executions.
 */
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useAutomation, useAutomationSchedule, useDeleteAutomation, useRunAutomation, useSaveAutomation, useTestAutomation, type AutomationBody } from '../../api/automations';
import type { Execution } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { useCan } from '../../api/me';
import { ConfirmButton } from '../../components/confirm-button';
import { ExecutionDetails } from '../../components/execution-details';
import { ExecutionsBrowser } from '../../components/executions-browser';
import { Field, FormError } from '../../components/field';
import { JsonField, parseJson } from '../../components/json-field';
import { UnsavedGuard } from '../../components/unsaved-guard';
import { AutomationForm } from './automation-form';
import { newAutomation, type AutomationDefinition } from './automation-model';

const FIXTURE = JSON.stringify({ after: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', customAttributes: {} } }, null, 2);

/** The definition part of a saved automation (what the form edits and PUT takes). */
function definitionOf(saved: AutomationBody & Record<string, unknown>): AutomationDefinition {
  const { name, description, enabled, trigger, conditions, actions } = saved;
  return JSON.parse(JSON.stringify({ name, description, enabled, trigger, conditions, actions }));
}

export default function AutomationScreen() {
  const { id } = useParams() as { id: string };
  const isNew = id === 'new';
  const automation = useAutomation(isNew ? undefined : id);
  if (!isNew && automation.error) return <p role="alert">{automation.error.message}</p>;
  if (!isNew && !automation.data) return <p>Loading…</p>;
  return <AutomationPage key={id} id={isNew ? undefined : id} initial={automation.data ? definitionOf(automation.data as never) : newAutomation()} version={automation.data?.version} />;
}

function AutomationPage({ id, initial, version }: { id?: string; initial: AutomationDefinition; version?: number }) {
  const canEdit = useCan('editor');
  const navigate = useNavigate();
  const save = useSaveAutomation(id);
  const test = useTestAutomation(id ?? '');
  const run = useRunAutomation(id ?? '');
  const remove = useDeleteAutomation(id ?? '');
  const [draft, setDraft] = useState(initial);
  const [saved, setSaved] = useState(initial);
  const [fixture, setFixture] = useState(FIXTURE);
  const [payload, setPayload] = useState('{}');
  const [fixtureError, setFixtureError] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Execution>();
  const schedule = useAutomationSchedule(id, saved.trigger.type === 'schedule', version);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const [created, setCreated] = useState<string>();
  useEffect(() => {
    if (created) navigate(`/automations/${created}`, { replace: true });
  }, [created, navigate]);
  const errors = { ...fieldErrors(save.error ?? test.error ?? run.error ?? remove.error), ...fixtureError };

  async function submit(): Promise<string | undefined> {
    const snapshot = draft;
    const done = await save.mutateAsync(snapshot as unknown as AutomationBody).catch(() => undefined);
    if (!done) return undefined;
    setSaved(snapshot);
    // A new automation moves to its own address once the render that knows it is saved is in.
    if (!id) setCreated(done.id);
    return done.id;
  }

  /** The JSON of field `name` (`{}` when blank), or undefined with the field's error set. */
  function jsonOf(name: 'fixture' | 'payload', text: string, label: string): unknown {
    try {
      return parseJson(text, label) ?? {};
    } catch (error) {
      setFixtureError({ [name]: (error as Error).message });
      return undefined;
    }
  }

  /** Run now: a real run, its actions performed, with the payload as trigger.body. */
  async function runNow() {
    setFixtureError({});
    const body = jsonOf('payload', payload, 'The payload');
    if (body === undefined) return;
    const queued = await run.mutateAsync(body).catch(() => undefined);
    if (queued) navigate(`/executions/${queued.executionId}`);
  }

  async function runTest() {
    setFixtureError({});
    if (dirty && !(await submit())) return;
    const body = jsonOf('fixture', fixture, 'The fixture');
    if (body === undefined) return;
    const execution = await test.mutateAsync(body as never).catch(() => undefined);
    if (execution) setResult(execution);
  }

  return (
    <>
      <UnsavedGuard dirty={dirty} />
      <p className="crumbs">
        <Link to="/automations">Automations</Link> /
      </p>
      <h1>{id ? saved.name : 'New automation'}</h1>
      <form
        aria-label="Automation"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <FormError errors={errors} />
        <AutomationForm value={draft} onChange={setDraft} errors={errors} nextRuns={schedule.data?.runs} readOnly={!canEdit} />
        {canEdit && (
          <div className="actions sticky-actions">
            <button type="submit" className="primary" disabled={save.isPending}>
              {dirty || !id ? 'Save' : 'Saved'}
            </button>
            {id && (
              <>
                <button type="button" onClick={() => void runTest()} disabled={test.isPending}>
                  Test
                </button>
                <ConfirmButton label="Delete automation" confirm={`Delete ${saved.name}?`} onConfirm={() => remove.mutateAsync().then(() => navigate('/automations'), () => undefined)} />
              </>
            )}
          </div>
        )}
      </form>
      {id && canEdit && (
        <section aria-labelledby="automation-test" className="test-panel">
          <h2 id="automation-test">Test</h2>
          <p className="hint">A dry run over a fixture: conditions are evaluated and params rendered; no action is performed.</p>
          <Field label="Fixture: { before, after, event, trigger } (JSON)" name="fixture" errors={errors}>
            <JsonField value={fixture} onChange={(e) => (setFixture(e.target.value), setFixtureError({}))} />
          </Field>
          {result && <ExecutionDetails execution={result} />}
        </section>
      )}
      {id && canEdit && (
        <section aria-labelledby="automation-run">
          <h2 id="automation-run">Run now</h2>
          <p className="hint">A real run, whatever the trigger: conditions are evaluated and the actions performed. The payload is the run’s trigger.body ({'{{trigger.body.…}}'} in templates).</p>
          <Field label="Payload: trigger.body (JSON)" name="payload" errors={errors}>
            <JsonField value={payload} onChange={(e) => (setPayload(e.target.value), setFixtureError({}))} />
          </Field>
          <div className="actions">
            <button type="button" disabled={dirty || run.isPending} onClick={() => void runNow()} title={dirty ? 'Save the automation first' : undefined}>
              Run now
            </button>
          </div>
        </section>
      )}
      {id && (
        <section aria-labelledby="automation-executions">
          <h2 id="automation-executions">Executions</h2>
          <ExecutionsBrowser owner={{ automationId: id }} headingLevel={3} />
        </section>
      )}
    </>
  );
}
