/**
 * What an execution recorded, shared by the execution page and the Test panel: counts,
 * the error at the hook's line with the code around it, the records a dry run would
 * write, the console log, the HTTP log, and an automation's steps.
 */
import type { Execution } from '../api/client';
import { StatusBadge } from './status-badge';

const COUNT_LABELS: Record<string, string> = {
  processed: 'processed',
  created: 'created',
  updated: 'updated',
  skipped: 'skipped',
  failed: 'failed',
  wouldCreate: 'would create',
  wouldUpdate: 'would update',
  wouldDelete: 'would delete',
  wouldSkip: 'would skip',
  invalid: 'invalid',
};

/** An automation run's step (conditions and actions), as the API lists them. */
interface StepView {
  readonly kind: 'condition' | 'action';
  readonly path: string;
  readonly field?: string;
  readonly op?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly result?: boolean;
  readonly type?: string;
  readonly name?: string;
  readonly case?: number | string | null;
  readonly status?: string;
  readonly params?: unknown;
  readonly error?: string;
}

const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));

/** The lines of `code` around `line` (1-based), the line itself marked. */
export function ErrorInCode({ code, line, column, message }: { code?: string; line?: number; column?: number; message: string }) {
  const lines = code?.split('\n') ?? [];
  const from = line ? Math.max(1, line - 3) : 0;
  const to = line ? Math.min(lines.length, line + 3) : 0;
  return (
    <div className="error-box" role="alert">
      <p>
        <strong>Error</strong>
        {line !== undefined && (
          <>
            {' '}
            at <span data-testid="error-line">line {line}</span>
            {column !== undefined && `, column ${column}`}
          </>
        )}
        : {message}
      </p>
      {line !== undefined && lines.length >= line && (
        <pre className="code-excerpt" aria-label={`code around line ${line}`}>
          {lines.slice(from - 1, to).map((text, i) => {
            const n = from + i;
            return (
              <div key={n} className={n === line ? 'error-line' : undefined}>
                <span className="line-no">{String(n).padStart(3)}</span> {text}
              </div>
            );
          })}
        </pre>
      )}
    </div>
  );
}

export function ExecutionDetails({ execution, code }: { execution: Execution; code?: string }) {
  const steps = (execution as { steps?: unknown[] }).steps;
  return (
    <div className="execution">
      <p>
        <StatusBadge status={execution.status} /> {execution.dryRun && <span className="badge">dry run</span>} trigger <strong>{execution.trigger}</strong>
        {execution.durationMs !== null && <> · {execution.durationMs} ms</>}
        {execution.hookId && ` · ${execution.pages} page${execution.pages === 1 ? '' : 's'}`}
      </p>
      {/* Record counts belong to hook runs; an automation's story is its steps. */}
      {execution.hookId && <dl className="counts">
        {Object.entries(execution.counts).map(([key, value]) => (
          <div key={key}>
            <dt>{COUNT_LABELS[key] ?? key}</dt>
            <dd data-testid={`count-${key}`}>{value}</dd>
          </div>
        ))}
      </dl>}
      {execution.error && <ErrorInCode code={code} line={execution.error.line} column={execution.error.column} message={execution.error.message} />}
      {execution.preview && execution.preview.length > 0 && (
        <section aria-labelledby="preview-title">
          <h3 id="preview-title">Records</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">External id</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Changes (before → after)</th>
                </tr>
              </thead>
              <tbody>
                {execution.preview.map((item) => (
                  <tr key={item.externalId} data-outcome={item.outcome}>
                    <td className="mono">{item.externalId}</td>
                    <td>
                      <span className={`badge outcome-${item.outcome}`}>{item.outcome}</span>
                    </td>
                    <td>
                      {item.error && <span className="field-error">{item.error}</span>}
                      {item.changes && (
                        <ul className="plain changes">
                          {Object.entries(item.changes).map(([field, change]) => (
                            <li key={field}>
                              <code>{field}</code>: {show(change.from)} → {show(change.to)}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {steps && steps.length > 0 && (
        <section aria-labelledby="steps-title">
          <h3 id="steps-title">Steps</h3>
          <div className="table-wrap">
            <table data-testid="steps">
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Where</th>
                  <th scope="col">What</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {(steps as StepView[]).map((step, i) => (
                  <tr key={i} data-step={step.kind}>
                    <td>{step.kind}</td>
                    <td className="mono">{step.path}</td>
                    <td>
                      {step.kind === 'condition' ? (
                        step.field ? <><code>{step.field}</code> {step.op} {show(step.expected)} (was {show(step.actual)})</> : step.op
                      ) : (
                        <>
                          {step.type}
                          {step.name && ` “${step.name}”`} · case {step.case === null ? 'none' : String(step.case)}
                          {step.params !== undefined && <pre className="mono params-out">{JSON.stringify(step.params, null, 2)}</pre>}
                        </>
                      )}
                      {step.error && <span className="field-error"> {step.error}</span>}
                    </td>
                    <td>{step.kind === 'condition' ? String(step.result) : <StatusBadge status={step.status ?? ''} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <section aria-labelledby="log-title">
        <h3 id="log-title">Console log</h3>
        {execution.logs.length === 0 ? (
          <p className="hint">Nothing logged.</p>
        ) : (
          <pre className="log" data-testid="console-log">
            {execution.logs.map((entry, i) => (
              <div key={i} className={`log-${entry.level}`}>
                {entry.ts.slice(11, 23)} {entry.level.toUpperCase().padEnd(5)} {entry.message}
                {entry.data !== undefined && ` ${JSON.stringify(entry.data)}`}
              </div>
            ))}
          </pre>
        )}
      </section>
      <section aria-labelledby="http-title">
        <h3 id="http-title">HTTP log</h3>
        {execution.http.length === 0 ? (
          <p className="hint">No HTTP requests.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="http-log">
              <thead>
                <tr>
                  <th scope="col">Method</th>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col">Time</th>
                  <th scope="col">Bytes (out / in)</th>
                </tr>
              </thead>
              <tbody>
                {execution.http.map((call, i) => (
                  <tr key={i}>
                    <td>{call.method}</td>
                    <td className="mono url">{call.url}</td>
                    <td>{call.error ? <span className="field-error">{call.error}</span> : call.status}</td>
                    <td>{Math.round(call.durationMs)} ms</td>
                    <td>
                      {call.requestBytes} / {call.responseBytes}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
