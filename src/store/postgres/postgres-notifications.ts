import pg from 'pg';
import { sql } from 'kysely';
import type { Listening, Notifications } from '../dialect.js';

const RECONNECT_MS = 1000;

/** LISTEN/NOTIFY over `pg`: each `listen` holds its own client, outside the pool. */
export function postgresNotifications(connectionString: string): Notifications {
  return {
    async notify(db, channel) {
      await sql`select pg_notify(${channel}, '')`.execute(db);
    },
    listen: (channel, onNotify, onState) => listenOn(connectionString, channel, onNotify, onState),
  };
}

async function listenOn(connectionString: string, channel: string, onNotify: () => void, onState?: (listening: boolean) => void): Promise<Listening> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    // An unhandled 'error' event would crash the process; a lost connection reconnects.
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    try {
      await c.connect();
      await c.query(`listen ${c.escapeIdentifier(channel)}`);
    } catch (error) {
      c.end().catch(() => {});
      throw error;
    }
    if (closed) await c.end();
    else {
      client = c;
      onState?.(true);
    }
  };

  const reconnectLater = (): void => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (closed) return;
      // Notifications sent while we were away are gone: wake the listener once to catch up.
      connect().then(onNotify, reconnectLater);
    }, RECONNECT_MS);
    retry.unref();
  };

  const lost = (c: pg.Client): void => {
    if (client !== c) return;
    client = undefined;
    onState?.(false);
    c.end().catch(() => {});
    reconnectLater();
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end();
    },
  };
}
