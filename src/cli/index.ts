/**
 * The `hookyard` command line: one file per command, each exporting a function that
 * builds its commander `Command`.
 */
import { Command } from 'commander';

const program = new Command('hookyard')
  .description('Hookyard: custom integration hooks, self-hosted')
  .showHelpAfterError();

// Commands register here (one file per command).
const COMMANDS: ReadonlyArray<() => Command> = [];
for (const make of COMMANDS) program.addCommand(make());

await program.parseAsync(process.argv);
