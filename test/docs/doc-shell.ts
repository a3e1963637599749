/**
 * Runs documentation commands as a reader would: the example mock HR system and
 * `hookyard serve` as background processes, everything else in one persistent bash
 * session in the project folder, so that variables and functions carry from one code
 * block to the next. The only changes made to the documented text are the ports and
 * paths in {@link Substitutions}, so that tests can run beside other processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../helpers/serve-process.js';

/** A free TCP port on 127.0.0.1 (closed again at once, then used by the process under test). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The documented ports and paths, and what a test uses instead. */
export interface Substitutions {
  readonly servePort: number;
  readonly mockPort: number;
  /** The port of the example remote hook server, for the docs that call it. */
  readonly remotePort?: number;
  /** A temporary folder for the CA file and the data folder. */
  readonly dir: string;
}

/** The documented text with the documented ports and paths replaced. */
export function substitute(text: string, s: Substitutions): string {
  return text
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${s.servePort}`)
    .replaceAll('127.0.0.1:8443', `127.0.0.1:${s.mockPort}`)
    .replaceAll('examples/mock-hr/ca.pem', path.join(s.dir, 'ca.pem'))
    .replaceAll('127.0.0.1:8444', `127.0.0.1:${s.remotePort ?? 8444}`)
    .replaceAll('examples/remote-hook/ca.pem', path.join(s.dir, 'remote-ca.pem'))
    .replaceAll('examples/remote-hook/signing-secret.txt', path.join(s.dir, 'signing-secret.txt'))
    .replaceAll('tutorial-data', path.join(s.dir, 'tutorial-data'));
}

/** A process started from a documented command, in its own process group. */
export interface Background {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `script` with bash and waits until its output matches `ready`. */
export async function background(script: string, options: { env?: Record<string, string>; ready: RegExp; timeoutMs?: number }): Promise<Background> {
  const child = spawn('bash', ['-c', script], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!options.ready.test(out)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`"${script}" exited early:\n${out}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`"${script}" did not get ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out, stop };
}

/** What one block printed, and the exit status of its last command. */
export interface BlockResult {
  readonly output: string;
  readonly status: number;
}

/** One bash session; `run` sources a block in it and resolves with what the block printed. */
export class Shell {
  readonly #child: ChildProcess;
  readonly #dir: string;
  #out = '';
  #count = 0;

  constructor(dir: string, env: Record<string, string> = {}) {
    this.#dir = dir;
    this.#child = spawn('bash', ['--norc', '--noprofile'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout!.on('data', (c) => (this.#out += c));
    this.#child.stderr!.on('data', (c) => (this.#out += c));
  }

  async run(code: string, timeoutMs = 30_000): Promise<BlockResult> {
    const n = ++this.#count;
    const file = path.join(this.#dir, `block-${n}.sh`);
    await fs.writeFile(file, code);
    const marker = `__block_${n}_done__`;
    const start = this.#out.length;
    // stdin of the block is /dev/null: only pipes inside it feed commands.
    this.#child.stdin!.write(`source ${file} < /dev/null; echo "${marker} $?"\n`);
    const deadline = Date.now() + timeoutMs;
    const done = new RegExp(`${marker} (\\d+)\\n`);
    for (;;) {
      const match = done.exec(this.#out.slice(start));
      if (match) return { output: this.#out.slice(start, start + match.index), status: Number(match[1]) };
      if (this.#child.exitCode !== null) throw new Error(`the shell exited:\n${this.#out.slice(start)}`);
      if (Date.now() > deadline) throw new Error(`block timed out:\n${code}\noutput so far:\n${this.#out.slice(start)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close(): void {
    this.#child.stdin!.end();
    this.#child.kill();
  }
}

/** Starts the example remote hook server as docs/hooks.md documents it, on `remotePort`, writing its CA and signing secret into `dir`. */
export function startRemote(command: string, s: Substitutions): Promise<Background> {
  return background(substitute(command, s), {
    env: {
      REMOTE_HOOK_PORT: String(s.remotePort),
      REMOTE_HOOK_CA_FILE: path.join(s.dir, 'remote-ca.pem'),
      REMOTE_HOOK_SECRET_FILE: path.join(s.dir, 'signing-secret.txt'),
    },
    ready: /listening on https:\/\/127\.0\.0\.1:\d+/,
  });
}

/** Starts the example mock HR system as the tutorial documents it, on `port`, writing its CA into `dir`. */
export function startMock(command: string, s: Substitutions): Promise<Background> {
  return background(substitute(command, s), {
    env: { MOCK_HR_PORT: String(s.mockPort), MOCK_HR_CA_FILE: path.join(s.dir, 'ca.pem') },
    ready: /listening on https:\/\/127\.0\.0\.1:\d+/,
  });
}
