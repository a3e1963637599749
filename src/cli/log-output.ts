/**
 * How a long-running process (`serve`, `worker`) logs: JSON lines for machines, or
 * readable lines for a person at a terminal, and the warnings it prints at start.
 */
import pretty from 'pino-pretty';
import type { Config } from '../config.js';

/** What the app's logger is given: off, JSON lines on standard output, or a readable stream. */
export type LoggerOption = boolean | { readonly stream: { write(line: string): void } };

/**
 * The logger for `config`: `json` keeps pino's JSON lines (for production and log
 * shippers), `pretty` prints one readable line per entry. `auto` is pretty on a
 * terminal unless `NODE_ENV=production`.
 */
export function loggerFor(config: Pick<Config, 'logLevel' | 'logFormat'>, env: NodeJS.ProcessEnv = process.env, isTty: boolean = process.stdout.isTTY === true): LoggerOption {
  if (config.logLevel === 'silent') return false;
  if (logFormatOf(config, env, isTty) === 'json') return true;
  return { stream: pretty({ colorize: isTty, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true }) };
}

/** The format `auto` comes to. */
export function logFormatOf(config: Pick<Config, 'logFormat'>, env: NodeJS.ProcessEnv = process.env, isTty: boolean = process.stdout.isTTY === true): 'json' | 'pretty' {
  if (config.logFormat !== 'auto') return config.logFormat;
  return isTty && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

/**
 * One warning per egress setting meant for development and tests only, so that a
 * server started with one by mistake says so.
 *
 * @example egressWarnings(config) // → ['HOOKYARD_EGRESS_ALLOW_PRIVATE is on: hooks may reach private …']
 */
export function egressWarnings(config: Pick<Config, 'egress'>): string[] {
  const { allowPrivate, connectTo, caFile } = config.egress;
  const warnings: string[] = [];
  if (allowPrivate) {
    warnings.push('HOOKYARD_EGRESS_ALLOW_PRIVATE is on: hooks may reach private, loopback and metadata addresses (development and tests only)');
  }
  if (connectTo.length > 0) {
    const rules = connectTo.map((c) => `${c.host}:${c.port}→${c.address}:${c.toPort}`).join(', ');
    warnings.push(`HOOKYARD_EGRESS_CONNECT_TO sends hook connections elsewhere: ${rules} (development and tests only)`);
  }
  if (caFile) warnings.push(`HOOKYARD_EGRESS_CA_FILE: hooks also trust the CA in ${caFile}`);
  return warnings;
}
