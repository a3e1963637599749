/**
 * A `pg` client that prepares the store's statements: a statement text it runs with
 * parameters a second time becomes a named prepared statement of its connection, parsed
 * and planned once, then only bound and executed. The store's texts come in a few hundred
 * shapes (built once, store/built-sql.ts), and parsing and planning them anew each time
 * was a third of PostgreSQL's CPU under a PUSH flood (a 500-row insert of a PULL page has
 * thousands of parameters to parse).
 *
 * Bounded per connection, because PostgreSQL keeps a prepared statement's plan in the
 * connection's backend until it closes, about 50 bytes of memory per byte of text (a
 * 500-row insert of ten columns: 27 KB of text, 1.4 MB of plan): at most
 * {@link MAX_PREPARED} statements and {@link MAX_PREPARED_CHARS} of text, so at most about
 * 50 MB a connection. Texts seen once (a PULL run's last, shorter page) are not prepared;
 * past the bounds, texts run unprepared.
 *
 * A prepared `select *` whose table gained a column since (a migration by a newer process,
 * during a rolling upgrade) fails once with "cached plan must not change result type";
 * that text then runs unprepared on this connection (retried at once when not in a
 * transaction, which the error aborts).
 */
import pg from 'pg';
import { LruMap } from '../lru-map.js';

const MAX_PREPARED = 256;
const MAX_PREPARED_CHARS = 1024 * 1024;
/** Texts remembered as seen once, waiting for a second run to be prepared. */
const SEEN = 1024;

/** PostgreSQL's feature_not_supported, which a prepared statement whose result type changed raises. */
const FEATURE_NOT_SUPPORTED = '0A000';

type Callback = (error: Error | null, result?: unknown) => void;

export class PreparingClient extends pg.Client {
  /** Names of the texts prepared on this connection; `null`: never prepare this text here. */
  readonly #names = new Map<string, string | null>();
  readonly #seen = new LruMap<string, true>(SEEN);
  #chars = 0;
  #inTransaction = false;

  // Kysely calls query(text, values); everything else (configs, cursors, LISTEN) passes through.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args as [unknown, unknown, Callback | undefined];
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) {
      this.#track(text);
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const name = this.#nameOf(text);
    if (name === null) return super.query(text, values) as never;
    return (super.query({ name, text, values }) as Promise<unknown>).catch((error: { code?: string }) => {
      if (error?.code !== FEATURE_NOT_SUPPORTED) throw error;
      this.#names.set(text, null);
      if (this.#inTransaction) throw error;
      return super.query(text, values);
    }) as never;
  }

  #nameOf(text: string): string | null {
    const known = this.#names.get(text);
    if (known !== undefined) return known;
    if (this.#seen.get(text) === undefined) {
      this.#seen.set(text, true);
      return null;
    }
    if (this.#names.size >= MAX_PREPARED || this.#chars + text.length > MAX_PREPARED_CHARS) return null;
    const name = `hookyard_${this.#names.size + 1}`;
    this.#names.set(text, name);
    this.#chars += text.length;
    return name;
  }

  /** Follows the transaction commands Kysely sends (as bare texts) to know when a retry is possible. */
  #track(text: unknown): void {
    if (typeof text !== 'string') return;
    if (/^(begin|start transaction)\b/i.test(text)) this.#inTransaction = true;
    else if (/^(commit|rollback|end)\b/i.test(text) && !/^rollback to\b/i.test(text)) this.#inTransaction = false;
  }
}
