/**
 * Several PostgreSQL writes as one statement: each of `writes` becomes a data-modifying
 * `with` query of `last`. One round trip runs them all, and they commit together, as a
 * statement is atomic by itself; a transaction would take a round trip for each and two
 * more for its `begin` and `commit` (on this loopback, a round trip's socket write alone
 * costs a quarter of a millisecond of the main thread).
 *
 * PostgreSQL runs every data-modifying `with` query to completion whether `last` reads it
 * or not, and all of them see the snapshot the statement started with: none may read what
 * another writes, and no two may change the same row (which change wins is undefined).
 */
import { CompiledQuery } from 'kysely';

const PLACEHOLDER = /\$(\d+)/g;

/**
 * `writes` and then `last`, as one statement whose result is `last`'s. The texts are ones
 * the store built: their only `$` are placeholders ($1, $2, …), renumbered in order here.
 */
export function asOneStatement<R>(writes: readonly CompiledQuery[], last: CompiledQuery<R>): CompiledQuery<R> {
  const parameters: unknown[] = [];
  const renumbered = (query: CompiledQuery): string => {
    const offset = parameters.length;
    if (/\$(?!\d)/.test(query.sql)) throw new Error(`a statement to combine has a $ that is not a placeholder: ${query.sql.slice(0, 200)}`);
    parameters.push(...query.parameters);
    return query.sql.replace(PLACEHOLDER, (_, n: string) => `$${Number(n) + offset}`);
  };
  const ctes = writes.map((write, i) => `w${i} as (${renumbered(write)})`);
  const text = renumbered(last);
  return CompiledQuery.raw(ctes.length === 0 ? text : `with ${ctes.join(', ')} ${text}`, parameters) as CompiledQuery<R>;
}
