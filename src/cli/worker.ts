import { Command } from 'commander';
import { HookyardError } from '../domain/errors.js';
import { egressWarnings } from './log-output.js';
import { withStoreFlags } from './store-options.js';
import { configFromServeFlags, type ServeFlags } from './serve.js';
import { startPlatform, stopOnSignals } from './platform.js';

/**
 * `hookyard worker`: workers and scheduler only, for scale-out. Any number of them
 * share one PostgreSQL database with the `serve` processes. The embedded SQLite
 * database belongs to one process (its `serve` already runs workers, and caches what it
 * reads knowing that it makes every write), so a worker refuses it.
 */
export function workerCommand(): Command {
  return withStoreFlags(new Command('worker').description('run workers and the scheduler only (scale-out on PostgreSQL)'))
    .option('--log-level <level>', 'log level (HOOKYARD_LOG_LEVEL, default info)')
    .option('--shutdown-timeout <ms>', 'give up a shutdown after this long and exit 1 (HOOKYARD_SHUTDOWN_TIMEOUT_MS, default 30000)')
    .action(async (flags: ServeFlags) => {
      const config = configFromServeFlags(flags);
      if (!config.databaseUrl) {
        throw new HookyardError(
          'HY_BAD_REQUEST',
          `hookyard worker needs PostgreSQL (--database-url or HOOKYARD_DATABASE_URL): the embedded database in ${config.dataDir} belongs to one process, and its hookyard serve already runs the workers`,
        );
      }
      const platform = await startPlatform(config, { api: false });
      stopOnSignals(platform, { timeoutMs: config.shutdownTimeoutMs, log: (message) => console.log(message) });
      for (const warning of egressWarnings(config)) console.warn(`warning: ${warning}`);
      console.log('Hookyard worker started (storage: PostgreSQL)');
    });
}
