/**
 * One hook: its code in the editor, its type's settings, Test (a dry run) and, for pull
 * hooks, Run now. Nothing typed is lost when a save fails: the draft stays until saved.
 */
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Execution, Hook } from '../../api/client';
import { ApiError, fieldErrors } from '../../api/errors';
import { useDeleteHook, useHook, useTestHook, useUpdateHook } from '../../api/hooks';
import { useCan, useMe } from '../../api/me';
import { ConfirmButton } from '../../components/confirm-button';
import { CopyButton } from '../../components/copy-button';
import { Field, FormError } from '../../components/field';
import { parseJson } from '../../components/json-field';
import { UnsavedGuard } from '../../components/unsaved-guard';
import { CodeEditor, type CodeProblem } from './code-editor';
import { DraftError, draftOf, patchOf, type HookDraft } from './hook-draft';
import { HOOK_TYPE_FORMS } from './hook-types';
import { RunNow } from './run-now';
import { SettingsForm } from './settings-form';
import { TestPanel } from './test-panel';

export default function HookEditorScreen() {
  const { id } = useParams() as { id: string };
  const hook = useHook(id);
  if (hook.error) return <p role="alert">{hook.error.message}</p>;
  if (!hook.data) return <p>Loading…</p>;
  return <HookEditor hook={hook.data} key={hook.data.id} />;
}

function HookEditor({ hook }: { hook: Hook }) {
  const canEdit = useCan('editor');
  const me = useMe();
  const update = useUpdateHook(hook.id);
  const test = useTestHook(hook.id);
  const remove = useDeleteHook(hook.id, hook.integrationId);
  const navigate = useNavigate();
  const [draft, setDraft] = useState<HookDraft>(() => draftOf(hook));
  const [saved, setSaved] = useState<HookDraft>(() => draftOf(hook));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [fixture, setFixture] = useState(HOOK_TYPE_FORMS[hook.type].fixture?.sample ?? '');
  const [result, setResult] = useState<Execution>();
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const set = (change: Partial<HookDraft>) => setDraft((d) => ({ ...d, ...change }));

  const errors = { ...fieldErrors(update.error ?? test.error ?? remove.error), ...localErrors };
  const problems = useMemo<CodeProblem[]>(() => {
    if (!(update.error instanceof ApiError)) return [];
    return update.error.details.filter((d) => d.path === 'body/code' && d.line !== undefined).map((d) => ({ line: d.line!, column: d.column, message: d.message }));
  }, [update.error]);

  /** Saves the draft when it changed; resolves false when the save failed (the draft stays). */
  async function save(): Promise<boolean> {
    if (!canEdit) return false;
    setLocalErrors({});
    if (!dirty) return true;
    let body;
    try {
      body = patchOf(draft, hook.type);
    } catch (error) {
      if (error instanceof DraftError) setLocalErrors({ [error.field]: error.message });
      return false;
    }
    const snapshot = draft;
    const ok = await update.mutateAsync(body).then(
      () => true,
      () => false,
    );
    if (ok) setSaved(snapshot);
    return ok;
  }

  async function runTest() {
    if (!canEdit || !(await save())) return;
    const form = HOOK_TYPE_FORMS[hook.type];
    let body = {};
    if (form.fixture) {
      try {
        const value = parseJson(fixture, 'The fixture');
        if (value !== undefined) body = { [form.fixture.name]: value };
      } catch (error) {
        setLocalErrors({ [form.fixture.name]: (error as Error).message });
        return;
      }
    }
    const execution = await test.mutateAsync(body).catch(() => undefined);
    if (execution) setResult(execution);
  }

  const inboundUrl = hook.type === 'inbound' && me.data && draft.path ? `${window.location.origin}/inbound/${me.data.org.slug}/${saved.path}` : undefined;

  return (
    <>
      <UnsavedGuard dirty={dirty} />
      <p className="crumbs">
        <Link to={`/integrations/${hook.integrationId}`}>Integration</Link> / {HOOK_TYPE_FORMS[hook.type].label} hook
      </p>
      <div className="title-row">
        <h1>{hook.name}</h1>
        <Link to={`/hooks/${hook.id}/executions`}>Executions</Link>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        aria-label="Hook"
      >
        <FormError errors={errors} />
        <fieldset disabled={!canEdit} className="hook-head">
          <div className="row">
            <Field label="Name" name="name" errors={errors}>
              <input value={draft.name} onChange={(e) => set({ name: e.target.value })} />
            </Field>
            <Field label="Runs as" name="runtime" errors={errors}>
              <select value={draft.runtime} onChange={(e) => set({ runtime: e.target.value as HookDraft['runtime'] })}>
                <option value="code">code</option>
                <option value="remote">remote (my own server)</option>
              </select>
            </Field>
            {draft.runtime === 'code' && (
              <Field label="Language" name="language" errors={errors}>
                <select value={draft.language} onChange={(e) => set({ language: e.target.value as HookDraft['language'] })}>
                  <option value="javascript">JavaScript</option>
                  <option value="typescript">TypeScript</option>
                </select>
              </Field>
            )}
            <label className="inline toggle">
              <input type="checkbox" name="enabled" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
            </label>
          </div>
        </fieldset>
        {inboundUrl && (
          <p className="inbound-url">
            Inbound URL <code data-testid="inbound-url">{inboundUrl}</code> <CopyButton text={inboundUrl} label="Copy URL" />
          </p>
        )}
        {draft.runtime === 'code' && (
          <div className="editor-wrap">
            <CodeEditor
              value={draft.code}
              onChange={(code) => set({ code })}
              hookType={hook.type}
              language={draft.language}
              problems={problems}
              readOnly={!canEdit}
              onSave={() => void save()}
              onTest={() => void runTest()}
            />
            {errors.code && (
              <p className="field-error" role="alert" data-field-error="code">
                {errors.code}
              </p>
            )}
          </div>
        )}
        <fieldset disabled={!canEdit}>
          <SettingsForm type={hook.type} draft={draft} set={set} errors={errors} />
        </fieldset>
        {canEdit && (
          <div className="actions sticky-actions">
            <button type="submit" className="primary" disabled={update.isPending}>
              {update.isPending ? 'Saving…' : dirty ? 'Save' : 'Saved'}
            </button>
            <button type="button" onClick={() => void runTest()} disabled={test.isPending}>
              {test.isPending ? 'Testing…' : 'Test'}
            </button>
            {HOOK_TYPE_FORMS[hook.type].canRun && <RunNow hookId={hook.id} disabled={dirty} />}
            <ConfirmButton label="Delete hook" confirm={`Delete ${hook.name}?`} onConfirm={() => remove.mutateAsync().then(() => navigate(`/integrations/${hook.integrationId}`), () => undefined)} />
          </div>
        )}
      </form>
      {canEdit && <TestPanel type={hook.type} fixture={fixture} onFixture={setFixture} result={result} code={saved.code} errors={errors} />}
    </>
  );
}
