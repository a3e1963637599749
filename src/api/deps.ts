/**
 * What the HTTP application is built from: the engine's services plus the API's own.
 * Its own file, so route plugins can name it without importing the app that imports them.
 */
import type { Registry } from 'prom-client';
import type { onSendHookHandler } from 'fastify';
import type { Config } from '../config.js';
import type { EngineDeps } from '../engine/deps.js';
import type { Readiness } from './readiness.js';

/** What the app is built from. */
export interface AppDeps extends EngineDeps {
  readonly config: Config;
  /** pino request logs; off in tests, or to `stream` (tests that read them). */
  readonly logger?: boolean | { readonly stream: { write(line: string): void } };
  /** The process's metrics registry (served on `/metrics`); default a new one. */
  readonly registry?: Registry;
  /** The process's readiness (`/readyz`); default always ready once the database answers. */
  readonly readiness?: Readiness;
  /** An `onSend` hook on every route, added before any (tests check each answer against its route's documented schema). */
  readonly onSend?: onSendHookHandler;
  /** The built web UI's folder; default `dist/web` next to the server (tests point elsewhere). */
  readonly webDir?: string;
}
