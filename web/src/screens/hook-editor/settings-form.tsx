/** The settings of a hook's type: schedule, change types, operations, path, verification, params, mapping. */
import type { Hook } from '../../api/client';
import { Field } from '../../components/field';
import type { HookDraft } from './hook-draft';

const INTERVALS = ['15m', '30m', '1h', '6h', '12h', '24h'];
const CHANGE_TYPES = ['create', 'update', 'delete'];
const OPERATIONS = ['list', 'get', 'create', 'update', 'delete'];
const METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const FLOW_STEPS = ['preSavePage', 'preMap', 'postMap', 'postSubmit', 'postAggregate'];

interface Props {
  readonly type: Hook['type'];
  readonly draft: HookDraft;
  readonly set: (change: Partial<HookDraft>) => void;
  readonly errors: Record<string, string>;
}

function Checkboxes({ legend, name, options, value, onChange, errors }: { legend: string; name: string; options: string[]; value: string[]; onChange: (v: string[]) => void; errors: Record<string, string> }) {
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option}>
          <input type="checkbox" name={name} checked={value.includes(option)} onChange={(e) => onChange(e.target.checked ? [...value, option] : value.filter((v) => v !== option))} /> {option}
        </label>
      ))}
      {errors[name] && (
        <small className="field-error" role="alert" data-field-error={name}>
          {errors[name]}
        </small>
      )}
    </fieldset>
  );
}

export function SettingsForm({ type, draft, set, errors }: Props) {
  return (
    <div className="settings">
      {draft.runtime === 'remote' && (
        <>
          <Field label="Remote URL" name="remote.url" errors={errors} hint="https URL that receives each signed call">
            <input className="mono" value={draft.remoteUrl} onChange={(e) => set({ remoteUrl: e.target.value })} />
          </Field>
          <Field label="Signing secret" name="remote.secret" errors={errors} hint="whsec_… — leave blank to keep the current one">
            <input type="password" autoComplete="off" value={draft.remoteSecret} onChange={(e) => set({ remoteSecret: e.target.value })} />
          </Field>
          {(type === 'pull' || type === 'inbound') && (
            <Checkboxes legend="Flow steps the server implements" name="remote.steps" options={FLOW_STEPS} value={draft.remoteSteps} onChange={(v) => set({ remoteSteps: v })} errors={errors} />
          )}
        </>
      )}
      {type === 'pull' && (
        <fieldset>
          <legend>Schedule</legend>
          <label className="inline">
            <input type="checkbox" checked={draft.scheduled} onChange={(e) => set({ scheduled: e.target.checked })} /> Run on a schedule
          </label>
          {draft.scheduled && (
            <div className="row">
              <Field label="Interval" name="schedule.interval" errors={errors}>
                <select value={draft.interval} onChange={(e) => set({ interval: e.target.value })}>
                  {INTERVALS.map((i) => (
                    <option key={i}>{i}</option>
                  ))}
                </select>
              </Field>
              <Field label="Preferred hour (0–23)" name="schedule.preferredHour" errors={errors}>
                <input type="number" min={0} max={23} value={draft.preferredHour} onChange={(e) => set({ preferredHour: e.target.value })} />
              </Field>
            </div>
          )}
        </fieldset>
      )}
      {type === 'push' && (
        <div className="row">
          <Checkboxes legend="Change types" name="changeTypes" options={CHANGE_TYPES} value={draft.changeTypes} onChange={(v) => set({ changeTypes: v })} errors={errors} />
          <Field label="Attempts" name="retry.attempts" errors={errors}>
            <input type="number" min={1} max={10} value={draft.retryAttempts} onChange={(e) => set({ retryAttempts: e.target.value })} />
          </Field>
        </div>
      )}
      {(type === 'pre' || type === 'post') && (
        <div className="row">
          <Checkboxes legend="Operations" name="operations" options={OPERATIONS} value={draft.operations} onChange={(v) => set({ operations: v })} errors={errors} />
          <Field label="Order" name="order" errors={errors}>
            <input type="number" value={draft.order} onChange={(e) => set({ order: e.target.value })} />
          </Field>
          {type === 'pre' && (
            <Field label="When it fails" name="onError" errors={errors}>
              <select value={draft.onError} onChange={(e) => set({ onError: e.target.value })}>
                <option value="fail">stop the call (502)</option>
                <option value="continue">let the call through</option>
              </select>
            </Field>
          )}
        </div>
      )}
      {type === 'inbound' && (
        <>
          <div className="row">
            <Field label="Method" name="method" errors={errors}>
              <select value={draft.method} onChange={(e) => set({ method: e.target.value })}>
                {METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </Field>
            <Field label="Path" name="path" errors={errors}>
              <input className="mono" value={draft.path} onChange={(e) => set({ path: e.target.value })} />
            </Field>
          </div>
          <fieldset>
            <legend>Verification</legend>
            <div className="row">
              <Field label="Scheme" name="verify.scheme" errors={errors}>
                <select value={draft.verifyScheme} onChange={(e) => set({ verifyScheme: e.target.value })}>
                  <option value="">none</option>
                  <option value="standard-webhooks">Standard Webhooks</option>
                  <option value="hmac">HMAC header</option>
                  <option value="stripe">Stripe</option>
                </select>
              </Field>
              {draft.verifyScheme && (
                <Field label="Verification secret" name="verify.secret" errors={errors} hint="write-only; blank keeps the current one">
                  <input type="password" autoComplete="off" value={draft.verifySecret} onChange={(e) => set({ verifySecret: e.target.value })} />
                </Field>
              )}
            </div>
            {draft.verifyScheme === 'hmac' && (
              <div className="row">
                <Field label="Header" name="verify.header" errors={errors}>
                  <input value={draft.verifyHeader} onChange={(e) => set({ verifyHeader: e.target.value })} />
                </Field>
                <Field label="Algorithm" name="verify.algorithm" errors={errors}>
                  <select value={draft.verifyAlgorithm} onChange={(e) => set({ verifyAlgorithm: e.target.value })}>
                    <option>sha256</option>
                    <option>sha1</option>
                  </select>
                </Field>
                <Field label="Encoding" name="verify.encoding" errors={errors}>
                  <select value={draft.verifyEncoding} onChange={(e) => set({ verifyEncoding: e.target.value })}>
                    <option>hex</option>
                    <option>base64</option>
                  </select>
                </Field>
                <Field label="Prefix" name="verify.prefix" errors={errors}>
                  <input value={draft.verifyPrefix} onChange={(e) => set({ verifyPrefix: e.target.value })} />
                </Field>
              </div>
            )}
          </fieldset>
        </>
      )}
      <div className="row">
        <Field label="Params (JSON, ctx.params)" name="params" errors={errors}>
          <textarea className="mono" rows={3} spellCheck={false} value={draft.params} onChange={(e) => set({ params: e.target.value })} />
        </Field>
        {(type === 'pull' || type === 'inbound') && (
          <Field label="Mapping (JSON: field → source path)" name="mapping" errors={errors}>
            <textarea className="mono" rows={3} spellCheck={false} value={draft.mapping} onChange={(e) => set({ mapping: e.target.value })} />
          </Field>
        )}
      </div>
    </div>
  );
}
