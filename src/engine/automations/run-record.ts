/**
 * What one automation run writes down as it goes — log lines, HTTP entries, steps — each
 * redacted of the run's secrets (the SMTP credentials, an inbound trigger's verification
 * secret) and bounded in size, as a hook run's record is (sandbox/limits.ts): the log to
 * the inbound hook's line and byte limits, messages and errors to the record bounds, and
 * a response or rendered params to {@link MAX_VALUE_CHARS} of JSON.
 */
import type { AutomationStep } from '../../domain/automations.js';
import type { ExecutionHttpEntry, ExecutionLogEntry } from '../../domain/executions.js';
import { createRedactor, type Redactor } from '../../sandbox/index.js';
import { RECORD_BOUNDS, cut, type Limits } from '../../sandbox/limits.js';
import type { MailSettings } from '../deps.js';

/** Largest JSON of a value kept in a step (a response, rendered params) or a log line's data. */
export const MAX_VALUE_CHARS = 16 * 1024;

/** The secrets a run's record must never show: SMTP user and password, the verification secret. */
export function runSecrets(mail: MailSettings | undefined, verifySecret?: string | null): Record<string, string> {
  const secrets: Record<string, string> = {};
  const url = mail?.smtpUrl && URL.canParse(mail.smtpUrl) ? new URL(mail.smtpUrl) : undefined;
  if (url?.password) secrets.smtp_password = decodeURIComponent(url.password);
  if (url?.username) secrets.smtp_user = decodeURIComponent(url.username);
  if (verifySecret) secrets.verify_secret = verifySecret;
  return secrets;
}

/** The record of one run, filled as it goes. */
export class RunRecord {
  readonly redactor: Redactor;
  readonly logs: ExecutionLogEntry[] = [];
  readonly http: ExecutionHttpEntry[] = [];
  readonly steps: AutomationStep[] = [];
  readonly #limits: Limits;
  #logBytes = 0;
  #logFull = false;

  /** `limits`: an inbound hook's, which automations are held to. */
  constructor(secrets: Readonly<Record<string, string>>, limits: Limits) {
    this.redactor = createRedactor(secrets);
    this.#limits = limits;
  }

  /** A redacted text, cut to the record's bound for messages. */
  text(value: string): string {
    return cut(this.redactor.text(value), RECORD_BOUNDS.errorMessageChars);
  }

  /** A redacted value, replaced by the start of its JSON when that is longer than {@link MAX_VALUE_CHARS}. */
  value(value: unknown): unknown {
    if (value === undefined) return undefined;
    const redacted = this.redactor.json(value);
    let json: string | undefined;
    try {
      json = JSON.stringify(redacted);
    } catch {
      return '[a value that cannot be shown as JSON]';
    }
    if (json === undefined) return undefined;
    return json.length <= MAX_VALUE_CHARS ? redacted : cut(json, MAX_VALUE_CHARS);
  }

  log(level: ExecutionLogEntry['level'], message: string, data?: unknown): void {
    if (this.#logFull) return;
    const entry: ExecutionLogEntry = { ts: new Date().toISOString(), level, message: this.text(message), ...(data !== undefined && { data: this.value(data) }) };
    const size = entry.message.length + (entry.data === undefined ? 0 : JSON.stringify(entry.data).length);
    const { logLines, logBytes } = this.#limits;
    if (this.logs.length >= logLines - 1 || this.#logBytes + size > logBytes) {
      this.#logFull = true;
      this.logs.push({ ts: entry.ts, level: 'warn', message: `Log limit reached: at most ${logLines} lines or ${logBytes} bytes per execution; the rest was dropped` });
      return;
    }
    this.#logBytes += size;
    this.logs.push(entry);
  }

  httpEntry(entry: ExecutionHttpEntry): void {
    if (this.http.length >= this.#limits.httpRequests) return;
    this.http.push({ ...entry, url: cut(this.redactor.text(entry.url), RECORD_BOUNDS.urlChars), ...(entry.error !== undefined && { error: this.text(entry.error) }) });
  }

  step(step: AutomationStep): void {
    this.steps.push(this.redactor.json(step));
  }
}
