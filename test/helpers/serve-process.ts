/**
 * Starts the real `hookyard serve` (the built CLI in dist/) as a child process on a
 * free port, and reads what it prints. `npm test` builds first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/hookyard.js');

/** Fails clearly when the CLI has not been built. */
export function assertBuilt(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/index.js'))) {
    throw new Error('dist/ is missing: run "npm run build" (npm test does it) before the end-to-end tests');
  }
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The admin key printed on the first start (undefined on later starts). */
  readonly adminKey?: string;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export async function startServe(options: { env?: Record<string, string>; args?: string[]; cwd: string; timeoutMs?: number }): Promise<ServeProcess> {
  assertBuilt();
  const child = spawn(process.execPath, ['--no-node-snapshot', BIN, 'serve', '--port', '0', ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, HOOKYARD_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  // 'close' comes after the output streams end: only then has everything printed been read.
  let closed = false;
  child.once('close', () => (closed = true));

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let url: string | undefined;
  while (!url) {
    url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url) break;
    if (closed) throw new Error(`hookyard serve exited early with ${child.exitCode ?? child.signalCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hookyard serve did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const adminKey = /Admin API key[^:]*: (hyk_\S+)/.exec(out)?.[1];
  return {
    child,
    url,
    adminKey,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
