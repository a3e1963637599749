import { Command } from 'commander';
import { withStoreFlags } from './store-options.js';
import { configFromServeFlags, type ServeFlags } from './serve.js';
import { startPlatform, stopOnSignals } from './platform.js';

/**
 * `hookyard worker`: workers and scheduler only, for scale-out. Any number of them
 * share one PostgreSQL database with the `serve` processes.
 */
export function workerCommand(): Command {
  return withStoreFlags(new Command('worker').description('run workers and the scheduler only (scale-out on PostgreSQL)'))
    .option('--log-level <level>', 'log level (HOOKYARD_LOG_LEVEL, default info)')
    .action(async (flags: ServeFlags) => {
      const config = configFromServeFlags(flags);
      const platform = await startPlatform(config, { api: false });
      stopOnSignals(platform, (message) => console.log(message));
      console.log(`Hookyard worker started (storage: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`})`);
    });
}
