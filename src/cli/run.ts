/**
 * `hookyard run FILE` (or `--remote URL`): runs a hook locally exactly as the server's
 * pipeline does — the same sandbox and limits, pagination, flow steps and mapping — with
 * KV in memory and no store, and prints the execution record.
 * Exit code 0 when the run completed, 1 when it failed or timed out, 2 for bad arguments.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ENTITY_TYPES, isEntityType, type EntityType } from '../domain/entity-types.js';
import { HookyardError, coerceError } from '../domain/errors.js';
import { emptyCounts, type Counts } from '../domain/executions.js';
import { FLOW_STEPS, isSigningSecret, type FlowStep, type Hook } from '../domain/hooks.js';
import { stepsOf } from '../engine/hook-steps.js';
import { checkPageLocally, type LocalPage } from '../engine/pages/local-page.js';
import { PageTally, runPipeline } from '../engine/pages/pipeline.js';
import { inboundCtxRequest } from '../engine/inbound/inbound-call.js';
import { readResponse, type InboundAnswer } from '../engine/inbound/inbound-answer.js';
import { readInboundFixture } from '../engine/inbound/inbound-fixture.js';
import { sampleEvent, sampleRequest } from '../engine/sample-fixtures.js';
import { parseHookLimits } from '../config.js';
import { MemoryKvStore, createRedactor, createSandbox, parseConnectTo, parseResolve } from '../sandbox/index.js';
import type { ConnectTo, EntryPoint, HookType, JsonValue, LimitOverrides, LogBudget, LogEntry, ResolveRule, RunError, RunRequest, RunResult, RunStatus, Spent } from '../sandbox/index.js';

interface RunOptions {
  type: HookType;
  entity?: string;
  event?: string;
  meta?: string;
  request?: string;
  response?: string;
  secret: string[];
  secretsFile?: string;
  params?: string;
  mapping?: string;
  dryRun?: boolean;
  json?: boolean;
  remote?: string;
  signingSecretFile?: string;
  steps?: string;
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
    .description('Run a hook locally, as the server would (sandbox, limits, pagination, flow steps, mapping), and print the execution')
    .argument('[file]', 'hook source (.js, .mjs, .ts); not with --remote')
    .addOption(new Option('--type <type>', 'hook type').choices(['pull', 'push', 'pre', 'post', 'inbound']).makeOptionMandatory())
    .option('--entity <type>', 'entity type of the hook: pull records are validated for it')
    .option('--event <json>', 'ctx.event for push hooks (JSON or @file; default: a sample create)')
    .option('--meta <json>', 'ctx.meta of the first page (JSON)')
    .option('--request <json>', 'ctx.request for pre, post and inbound hooks (JSON or @file)')
    .option('--response <json>', 'ctx.response for post hooks (JSON or @file; default: 200 with no body)')
    .option('--secret <name=value>', 'a secret (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--secrets-file <file>', 'secrets as a JSON object or NAME=VALUE lines')
    .option('--params <json>', 'ctx.params (JSON)')
    .option('--mapping <json>', "the hook's mapping: target field → source path (JSON or @file)")
    .option('--remote <url>', 'call the remote hook at this https URL instead of running a file')
    .option('--signing-secret-file <file>', "the remote hook's whsec_ signing secret (with --remote)")
    .option('--steps <names>', 'flow steps the remote hook implements, comma-separated (with --remote)')
    .option('--dry-run', 'dry run: KV writes are not kept')
    .option('--json', 'print the execution record as one JSON object')
    .option('--resolve <host:port:addr>', 'use ADDR for HOST:PORT (repeatable)', collect(parseResolve), [])
    .option('--connect-to <host:port:addr:port2>', 'connect to ADDR:PORT2 for HOST:PORT (repeatable)', collect(parseConnectTo), [])
    .option('--ca <file>', 'trust this extra CA certificate (PEM)')
    .option('--allow-private', 'allow private and loopback addresses (local testing only)')
    .action(async (file: string | undefined, options: RunOptions) => {
      process.exitCode = await runHook(file, options);
    });
}

/** What the command was asked to run, read from its arguments. */
interface LocalHook {
  readonly request: Omit<RunRequest, 'ctx' | 'entry' | 'input' | 'logBudget'>;
  readonly ctx: { event?: JsonValue; request?: JsonValue; response?: JsonValue; params?: JsonValue; meta?: JsonValue };
  readonly hook: Pick<Hook, 'runtime' | 'code' | 'remote'>;
  readonly mapping?: Record<string, string>;
  readonly entity?: EntityType;
  readonly name: string;
  readonly ca?: string;
}

/** Reads the arguments; throws (exit code 2) when they are wrong. */
async function readArguments(file: string | undefined, options: RunOptions): Promise<LocalHook> {
  if ((file === undefined) === (options.remote === undefined)) throw new HookyardError('HY_BAD_REQUEST', 'give a hook FILE or --remote URL (one of them)');
  if (options.remote === undefined && (options.steps !== undefined || options.signingSecretFile !== undefined)) {
    throw new HookyardError('HY_BAD_REQUEST', '--steps and --signing-secret-file are for --remote hooks; a file says its steps by defining them');
  }
  if (options.entity !== undefined && !isEntityType(options.entity)) throw new HookyardError('HY_BAD_REQUEST', `--entity must be one of ${ENTITY_TYPES.join(', ')}`);
  const secrets = { ...(options.secretsFile ? parseSecrets(await readFile(options.secretsFile, 'utf8')) : {}) };
  for (const pair of options.secret) Object.assign(secrets, parseSecrets(pair));
  const mapping = await jsonOption(options.mapping, '--mapping', true);
  if (mapping !== undefined && (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping) || Object.values(mapping).some((v) => typeof v !== 'string'))) {
    throw new HookyardError('HY_BAD_REQUEST', '--mapping must be a JSON object of target field → source path strings');
  }
  const entity = options.entity as EntityType | undefined;
  const event = await jsonOption(options.event, '--event', true);
  const ctx: LocalHook['ctx'] = {
    event: options.type === 'push' ? (event ?? (sampleEvent({ entityType: entity ?? null }) as unknown as JsonValue)) : event,
    request: await jsonOption(options.request, '--request', true),
    response: options.type === 'post' ? ((await jsonOption(options.response, '--response', true)) ?? { status: 200, body: null }) : undefined,
    params: await jsonOption(options.params, '--params', false),
    meta: await jsonOption(options.meta, '--meta', false),
  };
  // Without fixtures a push or API hook gets the same stand-ins as a dry run on the server.
  if ((options.type === 'pre' || options.type === 'post') && ctx.request === undefined) {
    ctx.request = sampleRequest({ entityType: entity ?? null }) as JsonValue;
  }
  // An inbound hook's request is read as a dry run's `request` fixture: members left out come from the sample call.
  if (options.type === 'inbound') {
    const { call, body } = readInboundFixture(ctx.request, {}, 'local', '--request');
    ctx.request = inboundCtxRequest(call, body);
  }
  let hook: LocalHook['hook'];
  let remote: RunRequest['remote'];
  let code = '';
  if (options.remote !== undefined) {
    if (!options.signingSecretFile) throw new HookyardError('HY_BAD_REQUEST', '--remote needs --signing-secret-file FILE with its whsec_ secret');
    const signing = (await readFile(options.signingSecretFile, 'utf8')).trim();
    if (!isSigningSecret(signing)) throw new HookyardError('HY_BAD_REQUEST', '--signing-secret-file must hold a whsec_ secret (the base64 of 24 to 64 bytes)');
    const steps = (options.steps ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const step of steps) if (!(FLOW_STEPS as readonly string[]).includes(step)) throw new HookyardError('HY_BAD_REQUEST', `--steps: ${step} is none of ${FLOW_STEPS.join(', ')}`);
    hook = { runtime: 'remote', remote: { url: options.remote, steps: steps as FlowStep[] } };
    remote = { url: options.remote, signingSecrets: [signing] };
  } else {
    code = await readFile(file!, 'utf8');
    hook = { runtime: 'code', code };
  }
  return {
    request: {
      orgId: 'local',
      hookId: 'local',
      hookVersion: 1,
      type: options.type,
      code,
      language: file !== undefined && /\.[cm]?ts$/.test(file) ? 'typescript' : 'javascript',
      ...(remote && { remote }),
      secrets,
      kv: new MemoryKvStore(),
      dryRun: options.dryRun ?? false,
    },
    ctx,
    hook,
    ...(mapping !== undefined && { mapping: mapping as Record<string, string> }),
    ...(entity !== undefined && { entity }),
    name: file !== undefined ? path.basename(file) : options.remote!,
    ca: options.ca ? await readFile(options.ca, 'utf8') : undefined,
  };
}

/** Runs the command's action, mapping argument errors to exit code 2. */
async function runHook(file: string | undefined, options: RunOptions): Promise<number> {
  let local: LocalHook;
  let limits: LimitOverrides | undefined;
  try {
    local = await readArguments(file, options);
    // The server's limits, when this deployment changes them.
    limits = parseHookLimits(process.env.HOOKYARD_HOOK_LIMITS);
  } catch (err) {
    process.stderr.write(`hookyard run: ${coerceError(err).message}\n`);
    return 2;
  }
  const sandbox = createSandbox({
    egress: { allowPrivate: options.allowPrivate ?? false, connectTo: options.connectTo, resolve: options.resolve, ca: local.ca },
    processes: 1,
    maxIdleIsolates: 1,
    ...(limits && { limits }),
  });
  const executionId = randomUUID();
  const startedAt = new Date();
  const { logBytes, logLines, pages: maxPages } = sandbox.limits(options.type);
  const logBudget: LogBudget = { bytes: logBytes, lines: logLines, exhausted: false };
  const { request, ctx } = local;
  const base = {
    org: { id: 'local', slug: 'local', name: 'Local', timeZone: 'UTC' },
    integration: { id: 'local', name: local.name, sourceSystemKey: 'local' },
    params: ctx.params ?? {},
    ...(ctx.event !== undefined && { event: ctx.event }),
    ...(ctx.request !== undefined && { request: ctx.request }),
    ...(ctx.response !== undefined && { response: ctx.response }),
  };
  const runs: RunResult[] = [];
  const call = async (entry: EntryPoint, page: number, meta: JsonValue | undefined, input?: JsonValue, spent?: Spent) => {
    const result = await sandbox.run({
      ...request,
      entry,
      ...(input !== undefined && { input }),
      ...(spent && { spent }),
      logBudget,
      ctx: { ...base, meta, execution: { id: executionId, hookId: 'local', trigger: 'manual', dryRun: request.dryRun ?? false, attempt: 1, page } },
    });
    runs.push(result);
    return result;
  };
  try {
    const counts = emptyCounts();
    const lines: LogEntry[] = [];
    const records: LocalPage['records'] = [];
    let pages = 1;
    let status: RunStatus;
    let error: RunError | undefined;
    let result: JsonValue | undefined;
    /** An inbound hook's answer to the sender, as the server would send it. */
    let answer: InboundAnswer | undefined;
    const line = (level: LogEntry['level'], message: string) => lines.push({ ts: new Date().toISOString(), level, message });
    // The server's own pipeline: steps, mapping and pagination; "saving" checks the records locally.
    const pipeline = async (run: typeof call) => {
      const tally = new PageTally(counts, line);
      const { pagination } = await runPipeline(
        {
          call: run,
          implements: stepsOf(local.hook),
          mapping: local.mapping,
          async save(page) {
            const checked = checkPageLocally(page, local.entity);
            tally.add(page.length, checked.results, checked.warnings);
            records.push(...checked.records);
            return checked.results;
          },
          counts: () => counts,
          line,
        },
        { meta: ctx.meta, maxPages },
      );
      lines.push(...pagination.warnings);
      return pagination;
    };
    if (options.type === 'pull') {
      const pagination = await pipeline(call);
      pages = pagination.pages.length;
      status = pagination.status;
      error = status === 'completed' ? undefined : pagination.pages.at(-1)?.error;
      result = runs.filter((r) => r.status === 'completed').at(-1)?.value;
    } else {
      const only = await call('run', 1, ctx.meta);
      status = only.status;
      error = only.error;
      result = only.value;
      if (status !== 'completed') {
        counts.processed = 1;
        counts.failed = 1;
      } else if (options.type === 'inbound') {
        // As on the server: the response must be one a sender can be answered with, and the
        // records returned are the pipeline's one page (its steps and mapping run too).
        const returned = (only.value ?? {}) as { response?: unknown; records?: unknown };
        const read = readResponse(returned.response);
        if (typeof read === 'string') {
          status = 'failed';
          error = { message: read, stack: '' };
        } else if (returned.records !== undefined) {
          const pagination = await pipeline(async (entry, page, meta, input) => (entry === 'run' ? { ...only, value: { records: returned.records as JsonValue } } : call(entry, page, meta, input)));
          status = pagination.status;
          error = status === 'completed' ? undefined : pagination.pages.at(-1)?.error;
        }
        // The server answers the sender even when saving the records failed.
        if (typeof read !== 'string') answer = read;
      } else {
        counts.processed = 1;
      }
    }
    const finishedAt = new Date();
    const record = {
      id: executionId,
      hookId: 'local',
      entityType: local.entity,
      status,
      trigger: 'manual',
      dryRun: request.dryRun ?? false,
      attempt: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      pages,
      counts,
      logs: [...runs.flatMap((r) => r.logs), ...lines],
      http: runs.flatMap((r) => r.http),
      ...(error ? { error } : {}),
      ...(options.type === 'pull' || options.type === 'inbound' ? { records } : {}),
      result: result ?? null,
      ...(answer && { answer }),
    };
    // The printed record is for people to read: what the hook returned is redacted too.
    const shown = createRedactor(request.secrets).json(record);
    process.stdout.write(options.json ? `${JSON.stringify(shown)}\n` : formatRecord(shown, options.type));
    return status === 'completed' ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

/** Lines of a returned value the summary shows. */
const MAX_RESULT_LINES = 20;

type ExecutionRecord = {
  status: RunStatus;
  durationMs: number;
  pages: number;
  dryRun: boolean;
  counts: Counts;
  logs: LogEntry[];
  http: RunResult['http'];
  error?: RunError;
  records?: unknown[];
  result: JsonValue;
  answer?: InboundAnswer;
};

/** A short summary for a terminal: status, pages, counts, logs, the HTTP log and the error at its line. */
function formatRecord(record: ExecutionRecord, type: HookType): string {
  const c = record.counts;
  const lines = [`${record.status} in ${record.durationMs} ms, ${record.pages} page(s)${record.dryRun ? ', dry run' : ''}`];
  if (record.records) lines.push(`records: ${c.processed} processed, ${c.created} valid, ${c.failed} failed (--json prints them)`);
  // A hook's own text is shown escaped, so a log line cannot pass for a line of ours.
  for (const log of record.logs) lines.push(`  [${log.level}] ${printable(log.message)}${log.data === undefined ? '' : ` ${printable(JSON.stringify(log.data))}`}`);
  for (const h of record.http) lines.push(`  ${h.method} ${printable(h.url)} → ${h.status || printable(h.error ?? '')} (${h.durationMs} ms)`);
  if (record.error) {
    const where = record.error.line ? ` (line ${record.error.line}, column ${record.error.column})` : '';
    lines.push(`error: ${printable(record.error.message)}${where}`);
    const frames = (record.error.stack ?? '').split('\n').slice(1);
    if (frames.length > 0) lines.push(frames.map(printable).join('\n'));
  }
  // A pre- or post-hook's verdict, a PUSH hook's answer, an inbound hook's response: short, and
  // what the author came to see. A PULL page's return value is the records, summed up above.
  const shown = type === 'inbound' ? record.answer : record.records ? undefined : record.result;
  if (shown !== undefined && shown !== null) {
    const text = JSON.stringify(shown, null, 2).split('\n');
    lines.push(`${type === 'inbound' ? 'answer' : 'returned'}: ${text.slice(0, MAX_RESULT_LINES).join('\n')}${text.length > MAX_RESULT_LINES ? `\n… (${text.length - MAX_RESULT_LINES} more lines; --json prints all)` : ''}`);
  }
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
