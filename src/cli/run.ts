/**
 * `hookyard run FILE` (SPEC §11): runs a hook locally in the same sandbox with the same
 * limits, KV in memory, following pagination, and prints the execution record.
 * Exit code 0 when the run completed, 1 when it failed or timed out, 2 for bad arguments.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { HookyardError, coerceError } from '../domain/errors.js';
import { paginate } from '../engine/paginate.js';
import { MemoryKvStore, createRedactor, createSandbox, parseConnectTo, parseResolve } from '../sandbox/index.js';
import type { ConnectTo, HookType, JsonValue, LogBudget, ResolveRule, RunRequest, RunResult, RunStatus } from '../sandbox/index.js';
import { DEFAULT_LIMITS } from '../sandbox/index.js';

interface RunOptions {
  type: HookType;
  entity?: string;
  event?: string;
  meta?: string;
  request?: string;
  secret: string[];
  secretsFile?: string;
  params?: string;
  dryRun?: boolean;
  json?: boolean;
  resolve: ResolveRule[];
  connectTo: ConnectTo[];
  ca?: string;
  allowPrivate?: boolean;
}

const collect =
  <T>(parse: (s: string) => T) =>
  (value: string, previous: T[]): T[] => {
    try {
      return [...previous, parse(value)];
    } catch (err) {
      throw new InvalidArgumentError(coerceError(err).message);
    }
  };

/** Builds the `run` command. */
export function runCommand(): Command {
  return new Command('run')
    .description('Run a hook file locally in the sandbox and print the execution record')
    .argument('<file>', 'hook source (.js, .mjs, .ts)')
    .addOption(new Option('--type <type>', 'hook type').choices(['pull', 'push', 'pre', 'post', 'inbound']).makeOptionMandatory())
    .option('--entity <type>', 'entity type of the hook')
    .option('--event <json>', 'ctx.event for push hooks (JSON or @file)')
    .option('--meta <json>', 'ctx.meta of the first page (JSON)')
    .option('--request <json>', 'ctx.request for pre, post and inbound hooks (JSON or @file)')
    .option('--secret <name=value>', 'a secret (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--secrets-file <file>', 'secrets as a JSON object or NAME=VALUE lines')
    .option('--params <json>', 'ctx.params (JSON)')
    .option('--dry-run', 'dry run: KV writes are not kept')
    .option('--json', 'print the execution record as one JSON object')
    .option('--resolve <host:port:addr>', 'use ADDR for HOST:PORT (repeatable)', collect(parseResolve), [])
    .option('--connect-to <host:port:addr:port2>', 'connect to ADDR:PORT2 for HOST:PORT (repeatable)', collect(parseConnectTo), [])
    .option('--ca <file>', 'trust this extra CA certificate (PEM)')
    .option('--allow-private', 'allow private and loopback addresses (local testing only)')
    .action(async (file: string, options: RunOptions) => {
      process.exitCode = await runHook(file, options);
    });
}

/** Runs the command's action, mapping argument errors to exit code 2. */
async function runHook(file: string, options: RunOptions): Promise<number> {
  let request: Omit<RunRequest, 'ctx'>;
  let ctx: { event?: JsonValue; request?: JsonValue; params?: JsonValue; meta?: JsonValue };
  let ca: string | undefined;
  try {
    const code = await readFile(file, 'utf8');
    const secrets = { ...(options.secretsFile ? parseSecrets(await readFile(options.secretsFile, 'utf8')) : {}) };
    for (const pair of options.secret) Object.assign(secrets, parseSecrets(pair));
    ctx = {
      event: await jsonOption(options.event, '--event', true),
      request: await jsonOption(options.request, '--request', true),
      params: await jsonOption(options.params, '--params', false),
      meta: await jsonOption(options.meta, '--meta', false),
    };
    ca = options.ca ? await readFile(options.ca, 'utf8') : undefined;
    request = {
      orgId: 'local',
      hookId: 'local',
      hookVersion: 1,
      type: options.type,
      code,
      language: /\.[cm]?ts$/.test(file) ? 'typescript' : 'javascript',
      secrets,
      kv: new MemoryKvStore(),
      dryRun: options.dryRun ?? false,
    };
  } catch (err) {
    process.stderr.write(`hookyard run: ${coerceError(err).message}\n`);
    return 2;
  }

  const sandbox = createSandbox({
    egress: { allowPrivate: options.allowPrivate ?? false, connectTo: options.connectTo, resolve: options.resolve, ca },
    maxIdleIsolates: 1,
  });
  const executionId = randomUUID();
  const startedAt = new Date();
  const limits = DEFAULT_LIMITS[options.type];
  const logBudget: LogBudget = { bytes: limits.logBytes, lines: limits.logLines, exhausted: false };
  const base = {
    org: { id: 'local', slug: 'local', name: 'Local', timeZone: 'UTC' },
    integration: { id: 'local', name: path.basename(file), sourceSystemKey: 'local' },
    params: ctx.params ?? {},
    event: ctx.event,
    request: ctx.request,
  };
  const runPage = (page: number, meta: JsonValue | undefined) =>
    sandbox.run({
      ...request,
      logBudget,
      ctx: { ...base, meta, execution: { id: executionId, hookId: 'local', trigger: 'manual', dryRun: request.dryRun ?? false, attempt: 1, page } },
    });
  try {
    let pages: RunResult[];
    let status: RunStatus;
    let warnings: RunResult['logs'] = [];
    if (options.type === 'pull') {
      const pagination = await paginate(({ page, meta }) => runPage(page, meta), { meta: ctx.meta });
      ({ pages, status, warnings } = pagination);
    } else {
      pages = [await runPage(1, ctx.meta)];
      status = pages[0].status;
    }
    // The printed record is for people to read: what the hook returned is redacted too.
    const record = createRedactor(request.secrets).json(executionRecord(executionId, options, startedAt, pages, status, warnings));
    process.stdout.write(options.json ? `${JSON.stringify(record)}\n` : formatRecord(record));
    return status === 'completed' ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

function executionRecord(id: string, options: RunOptions, startedAt: Date, pages: RunResult[], status: RunStatus, warnings: RunResult['logs']) {
  const finishedAt = new Date();
  const last = pages.at(-1);
  const records =
    options.type === 'pull' || options.type === 'inbound'
      ? pages.flatMap((p) => {
          const value = p.value as { records?: unknown } | undefined;
          return p.status === 'completed' && Array.isArray(value?.records) ? (value.records as JsonValue[]) : [];
        })
      : undefined;
  return {
    id,
    hookId: 'local',
    entityType: options.entity,
    status,
    trigger: 'manual',
    dryRun: options.dryRun ?? false,
    attempt: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    pages: pages.length,
    counts: { processed: records?.length ?? 0, created: 0, updated: 0, skipped: 0, failed: 0 },
    logs: [...pages.flatMap((p) => p.logs), ...warnings],
    http: pages.flatMap((p) => p.http),
    ...(last?.error ? { error: last.error } : {}),
    ...(records ? { records } : {}),
    result: last?.value ?? null,
  };
}

function formatRecord(record: ReturnType<typeof executionRecord>): string {
  const lines = [`${record.status} in ${record.durationMs} ms, ${record.pages} page(s)${record.dryRun ? ', dry run' : ''}`];
  // A hook's own text is shown escaped, so a log line cannot pass for a line of ours.
  for (const log of record.logs) lines.push(`  [${log.level}] ${printable(log.message)}${log.data === undefined ? '' : ` ${JSON.stringify(log.data)}`}`);
  for (const h of record.http) lines.push(`  ${h.method} ${h.url} → ${h.status || h.error} (${h.durationMs} ms)`);
  if (record.records) lines.push(`records: ${record.records.length}`);
  if (record.error) {
    const where = record.error.line ? ` (line ${record.error.line}, column ${record.error.column})` : '';
    lines.push(`error: ${printable(record.error.message)}${where}`);
    if (record.error.stack) lines.push(record.error.stack.split('\n').slice(1).map(printable).join('\n'));
  }
  lines.push(`result: ${JSON.stringify(record.result, null, 2)}`);
  return `${lines.join('\n')}\n`;
}

/** `text` with line breaks and other control characters escaped as in JSON. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}

async function jsonOption(value: string | undefined, name: string, fileAllowed: boolean): Promise<JsonValue | undefined> {
  if (value === undefined) return undefined;
  const text = fileAllowed && value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new HookyardError('HY_BAD_REQUEST', `${name} must be JSON${fileAllowed ? ' or @file' : ''}`);
  }
}

/** A JSON object of strings, or `NAME=VALUE` lines (blank lines and `#` comments skipped). */
function parseSecrets(text: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  const secrets: Record<string, string> = {};
  for (const line of trimmed.split(/\r?\n/)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) throw new HookyardError('HY_BAD_REQUEST', `secret "${line}" must look like NAME=VALUE`);
    secrets[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return secrets;
}
