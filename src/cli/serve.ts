import { Command } from 'commander';
import { buildApp } from '../api/app.js';
import { loadConfig, parseConnectTo, type Config } from '../config.js';
import { createSecretBox } from '../domain/secret-box.js';
import { bootstrap } from '../engine/organisations.js';
import { resolveMasterKey } from '../master-key.js';
import { migrate, openStore } from '../store/db.js';
import { withStoreFlags, type StoreFlags } from './store-options.js';

interface ServeFlags extends StoreFlags {
  host?: string;
  port?: string;
  logLevel?: string;
  allowPrivate?: boolean;
  connectTo?: string[];
  ca?: string;
}

function configFromServeFlags(flags: ServeFlags): Config {
  const fromEnv = loadConfig(process.env);
  return loadConfig(process.env, {
    ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
    ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
    ...(flags.host !== undefined && { host: flags.host }),
    ...(flags.port !== undefined && { port: loadConfig({ HOOKYARD_PORT: flags.port }).port }),
    ...(flags.logLevel !== undefined && { logLevel: flags.logLevel }),
    egress: {
      ...(flags.allowPrivate && { allowPrivate: true }),
      ...(flags.connectTo && { connectTo: [...fromEnv.egress.connectTo, ...flags.connectTo.map(parseConnectTo)] }),
      ...(flags.ca !== undefined && { caFile: flags.ca }),
    },
  });
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `hookyard serve`: API, UI, scheduler and workers in one process. On the first
 * start it creates the `default` organisation and prints its admin key.
 */
export function serveCommand(): Command {
  return withStoreFlags(new Command('serve').description('run the API, scheduler and workers'))
    .option('--host <host>', 'address to listen on (HOOKYARD_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free one (HOOKYARD_PORT, default 8080)')
    .option('--log-level <level>', 'pino log level (HOOKYARD_LOG_LEVEL, default info)')
    .option('--allow-private', 'development only: let hooks reach private addresses')
    .option('--connect-to <rule>', 'development only: HOST:PORT:ADDR:PORT2 for hook egress (repeatable)', collect)
    .option('--ca <file>', 'extra CA certificate (PEM) trusted for hook egress')
    .action(async (flags: ServeFlags) => {
      const config = configFromServeFlags(flags);
      const secretBox = createSecretBox(resolveMasterKey(config));
      const store = openStore(config);
      await migrate(store);
      const first = await bootstrap(store.db, config.adminKey);
      const app = await buildApp({ store, config, secretBox, logger: config.logLevel !== 'silent' });

      let closing: Promise<void> | undefined;
      const shutdown = (signal: string) => {
        closing ??= (async () => {
          app.log.info({ signal }, 'shutting down');
          await app.close();
          await store.close();
        })().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error('shutdown failed:', err);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));

      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      const storage = config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
      console.log(`Hookyard is listening on ${base} (storage: ${storage})`);
      console.log(`API docs: ${base}/docs`);
      if (first) {
        console.log(`Created organisation "${first.org.slug}". Admin API key (shown only this once): ${first.adminKey}`);
      }
    });
}
