/**
 * The `hookyard` command line: one file per command, each exporting a function that
 * builds its commander `Command`. Exit codes: 0 success, 1 failure, 2 bad arguments.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { coerceError, HookyardError } from '../domain/errors.js';
import { backupCommand } from './backup.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { orgsCommand } from './orgs.js';
import { restoreCommand } from './restore.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';

const COMMANDS: ReadonlyArray<() => Command> = [serveCommand, workerCommand, migrateCommand, keysCommand, orgsCommand, backupCommand, restoreCommand, runCommand];

// dist/cli/index.js and src/cli/index.ts both sit two folders below package.json.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('hookyard')
  .description('Hookyard: custom integration hooks, self-hosted')
  .version(version)
  .showHelpAfterError();
for (const make of COMMANDS) program.addCommand(make());
const overrideExit = (command: Command): void => {
  command.exitOverride();
  command.commands.forEach(overrideExit);
};
overrideExit(program);

try {
  await program.parseAsync(process.argv);
} catch (thrown) {
  if (thrown instanceof CommanderError) {
    // Help and version end with code 0; every usage error is "bad arguments".
    process.exit(thrown.exitCode === 0 ? 0 : 2);
  }
  const err = coerceError(thrown);
  console.error(`error: ${err.message}`);
  process.exit(err instanceof HookyardError && err.status === 400 ? 2 : 1);
}
