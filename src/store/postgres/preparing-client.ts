/**
 * A `pg` client that prepares the store's statements: each statement text it runs with
 * parameters becomes a named prepared statement of its connection, parsed and planned
 * once, then only bound and executed. The store's texts come in a few hundred shapes
 * (built once, store/built-sql.ts), and parsing and planning them anew each time was a
 * third of PostgreSQL's CPU under a PUSH flood (a 500-row insert of a PULL page has 5,000
 * parameters to parse).
 *
 * Bounded per connection ({@link MAX_PREPARED} statements, {@link MAX_PREPARED_CHARS} of
 * text): past that, texts run unprepared. A prepared `select *` whose table gained a
 * column since (a migration by a newer process, during a rolling upgrade) fails once
 * with "cached plan must not change result type"; that text then runs unprepared on
 * this connection (retried at once when not in a transaction, which the error aborts).
 */
import pg from 'pg';

const MAX_PREPARED = 256;
const MAX_PREPARED_CHARS = 8 * 1024 * 1024;

/** PostgreSQL's feature_not_supported, which a prepared statement whose result type changed raises. */
const FEATURE_NOT_SUPPORTED = '0A000';

type Callback = (error: Error | null, result?: unknown) => void;

export class PreparingClient extends pg.Client {
  /** Names of the texts prepared on this connection; `null`: never prepare this text here. */
  readonly #names = new Map<string, string | null>();
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
