/**
 * The hook sandbox (SPEC.md §2, DESIGN.md "Sandbox" and "Egress"): runs untrusted hook
 * code in pooled V8 isolates with a JSON-only ctx, under limits and the egress policy.
 */
export { createSandbox } from './sandbox.js';
export type { Sandbox, SandboxOptions } from './sandbox.js';
export { checkSource, syntaxError } from './compile.js';
export { DEFAULT_LIMITS, MAX_PAGES, limitMessage, resolveLimits } from './limits.js';
export type { HookType, LimitName, Limits } from './limits.js';
export { MemoryKvStore, dryRunKv } from './kv.js';
export type { KvStore } from './kv.js';
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
} from './types.js';
