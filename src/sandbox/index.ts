/**
 * The hook sandbox: runs untrusted hook code in pooled V8 isolates, inside supervised
 * sandbox processes, with a JSON-only ctx, under limits and the egress policy.
 */
export { createSandbox } from './supervisor.js';
export type { SandboxOptions } from './supervisor.js';
export type { ProcessEgressOptions } from './protocol.js';
export { checkSource, syntaxError } from './compile.js';
export { DEFAULT_LIMITS, MAX_PAGES, RECORD_BOUNDS, cut, limitMessage, resolveLimits } from './limits.js';
export type { HookLimits, HookType, LimitName, LimitOverrides, Limits } from './limits.js';
export { MemoryKvStore, dryRunKv } from './kv.js';
export type { KvStore, KvUsage } from './kv.js';
export { Egress, EgressError, USER_AGENT, blockedRange, parseConnectTo, parseResolve } from './egress.js';
export type { ConnectTo, EgressErrorCode, EgressOptions, Lookup, ResolveRule } from './egress.js';
export { createRedactor } from './redact.js';
export type { Redactor } from './redact.js';
export { ENTRY_POINTS } from './types.js';
export type {
  CtxData,
  EntryPoint,
  HttpLogEntry,
  JsonValue,
  Language,
  LogBudget,
  LogEntry,
  LogLevel,
  RunError,
  RunRequest,
  RunResult,
  RunStatus,
  Sandbox,
  Spent,
} from './types.js';
