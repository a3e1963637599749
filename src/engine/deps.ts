/**
 * What every engine function gets: the platform's shared services, passed in (never
 * imported as singletons) so each pipeline can be tested alone.
 */
import type { SecretBox } from '../domain/secret-box.js';
import type { HandlerTable, JobQueue } from '../jobs/index.js';
import type { Egress, Sandbox } from '../sandbox/index.js';
import type { Store } from '../store/db.js';
import type { ExecutionProgress } from './execution-progress.js';
import type { RetentionPolicy } from './maintenance.js';
import type { RunMetrics } from './run-metrics.js';

export interface EngineDeps {
  readonly store: Store;
  readonly secretBox: SecretBox;
  readonly sandbox: Sandbox;
  readonly queue: JobQueue;
  /** Where runs, deliveries and clean-ups are reported; none in most tests. */
  readonly metrics?: RunMetrics;
  /** How long history is kept; the defaults of maintenance.ts when absent. */
  readonly retention?: RetentionPolicy;
  /** Where running executions report their progress (the live progress stream); none in most tests. */
  readonly progress?: ExecutionProgress;
  /**
   * Outbound HTTP the engine itself sends (automations' `http_request`), under the same
   * egress policy and settings as hooks; without it such requests fail.
   */
  readonly egress?: Egress;
  /** Where automations' `send_email` sends from; without an SMTP URL the action fails. */
  readonly mail?: MailSettings;
}

/** The SMTP server of `send_email` (`HOOKYARD_SMTP_URL`, `HOOKYARD_SMTP_FROM`). */
export interface MailSettings {
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465`; the credentials are never shown. */
  readonly smtpUrl?: string;
  /** The `From` address; else the SMTP user name when it is an address, else `hookyard@<the SMTP host>`. */
  readonly from?: string;
}

/**
 * An engine feature's job handlers: registers them in the table and returns the
 * function that unregisters them.
 */
export type JobRegistration = (handlers: HandlerTable, deps: EngineDeps) => () => void;

/** A long-running loop of the engine (a scheduler, a dispatcher); returns its stop function. */
export type BackgroundService = (deps: EngineDeps) => () => Promise<void>;
