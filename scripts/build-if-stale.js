// `npm start` builds only when a source is newer than the last build: the compiler
// takes seconds, a start should not. `npm run build` always builds. The server and the
// web UI are checked apart, so a change to one rebuilds only that one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');

/** The newest modification time under `entry` (a file or a folder), in ms. */
function newest(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A folder's own time changes when a file in it is added or removed.
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

const newestOf = (inputs) => Math.max(...inputs.map((p) => newest(path.join(root, p))));
const stampTime = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/** Runs `args` with node when `inputs` changed after `stampFile`; then touches it. */
function buildIfStale(what, stampFile, inputs, args) {
  if (stampTime(stampFile) > newestOf(inputs)) return;
  console.log(`building the ${what} (sources changed since the last build)…`);
  const run = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (run.status !== 0) process.exit(run.status ?? 1);
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, `${new Date().toISOString()}\n`);
}

const deps = ['package.json', 'package-lock.json'];
buildIfStale('server', stamp, ['src', 'tsconfig.json', 'tsconfig.build.json', ...deps], [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')]);
// The UI's ctx completion is read from types/hookyard.d.ts when it is built.
buildIfStale('web UI', path.join(root, 'dist', '.web-build-stamp'), ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/ctx-members.ts', 'types', ...deps], [
  path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(root, 'web/vite.config.ts'), '--logLevel', 'warn',
]);
