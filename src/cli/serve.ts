import { Command } from 'commander';
import { loadConfig, parseConnectTo, type Config } from '../config.js';
import { egressWarnings } from './log-output.js';
import { startPlatform, stopOnSignals } from './platform.js';
import { withStoreFlags, type StoreFlags } from './store-options.js';

export interface ServeFlags extends StoreFlags {
  host?: string;
  port?: string;
  logLevel?: string;
  logFormat?: string;
  allowPrivate?: boolean;
  connectTo?: string[];
  ca?: string;
  shutdownTimeout?: string;
}

export function configFromServeFlags(flags: ServeFlags): Config {
  const fromEnv = loadConfig(process.env);
  return loadConfig(process.env, {
    ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
    ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
    ...(flags.host !== undefined && { host: flags.host }),
    ...(flags.port !== undefined && { port: loadConfig({ HOOKYARD_PORT: flags.port }).port }),
    ...(flags.logLevel !== undefined && { logLevel: flags.logLevel }),
    ...(flags.logFormat !== undefined && { logFormat: loadConfig({ HOOKYARD_LOG_FORMAT: flags.logFormat }).logFormat }),
    ...(flags.shutdownTimeout !== undefined && { shutdownTimeoutMs: loadConfig({ HOOKYARD_SHUTDOWN_TIMEOUT_MS: flags.shutdownTimeout }).shutdownTimeoutMs }),
    egress: {
      ...(flags.allowPrivate && { allowPrivate: true }),
      ...(flags.connectTo && { connectTo: [...fromEnv.egress.connectTo, ...flags.connectTo.map(parseConnectTo)] }),
      ...(flags.ca !== undefined && { caFile: flags.ca }),
    },
  });
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `hookyard serve`: API, UI, scheduler and workers in one process. On the first
 * start it creates the `default` organisation and prints its admin key.
 */
export function serveCommand(): Command {
  return withStoreFlags(new Command('serve').description('run the API, scheduler and workers'))
    .option('--host <host>', 'address to listen on (HOOKYARD_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free one (HOOKYARD_PORT, default 8080)')
    .option('--log-level <level>', 'pino log level (HOOKYARD_LOG_LEVEL, default info)')
    .option('--log-format <format>', 'json, pretty, or auto: pretty on a terminal unless NODE_ENV=production (HOOKYARD_LOG_FORMAT, default auto)')
    .option('--allow-private', 'development only: let hooks reach private addresses')
    .option('--connect-to <rule>', 'development only: HOST:PORT:ADDR:PORT2 for hook egress (repeatable)', collect)
    .option('--ca <file>', 'extra CA certificate (PEM) trusted for hook egress')
    .option('--shutdown-timeout <ms>', 'give up a shutdown after this long and exit 1 (HOOKYARD_SHUTDOWN_TIMEOUT_MS, default 30000)')
    .action(async (flags: ServeFlags) => {
      const config = configFromServeFlags(flags);
      const platform = await startPlatform(config, { api: true });
      const app = platform.app!;
      stopOnSignals(platform, { timeoutMs: config.shutdownTimeoutMs, log: (message) => app.log.info(message) });
      for (const warning of egressWarnings(config)) app.log.warn(warning);

      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      const storage = config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
      // The key comes first: whoever waits for the "listening" line has the key by then.
      if (platform.firstAdminKey) {
        console.log(`Created organisation "default". Admin API key (shown only this once): ${platform.firstAdminKey}`);
      }
      console.log(`Hookyard is listening on ${base} (storage: ${storage})`);
      console.log(`Web UI: ${base}/ (sign in with an API key)`);
      console.log(`API docs: ${base}/docs`);
    });
}
