/**
 * Whether `make` keeps giving objects of one hidden class once V8 has optimised it. On
 * Node 20's V8 a literal that starts with a spread and then adds a property gets a class of
 * its own on every call once optimised, each kept in the old space until the next full
 * collection: per run or per request, that is memory that grows with the load
 * (bench/README.md, Inbound, "Peak RSS").
 *
 * V8's `%HaveSameMap` is reached by turning on its natives syntax for functions compiled from
 * now on; the flag changes nothing else.
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** Calls `make` often enough for V8 to optimise it, and compares the classes of its last results. */
export function keepsOneHiddenClass(make: (i: number) => object, calls = 20_000): boolean {
  let previous = make(0);
  let last = previous;
  for (let i = 1; i < calls; i++) {
    previous = last;
    last = make(i);
  }
  return haveSameMap(previous, last);
}
