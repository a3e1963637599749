// Runs every bench/*.bench.js in its own Node process (with --no-node-snapshot for
// isolated-vm), one after another, so figures do not disturb each other; `npm run bench --
// NAME` runs the files whose name contains NAME. Each file's time is printed after it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`# ${file}`);
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--no-node-snapshot', '--expose-gc', path.join(dir, file)], { stdio: 'inherit' });
  console.log(`# ${file}: ${Math.round((performance.now() - started) / 1000)} s`);
  if (result.status !== 0) {
    failed += 1;
    console.log(`# ${file} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
