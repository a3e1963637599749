// The bare baseline of a contained warm run: what the least code does when hook code must
// run in another process (isolated-vm cannot contain a heap OOM or every spin: see
// src/sandbox/supervisor.ts). A process forked with Node's JSON IPC channel (as the sandbox
// processes are) keeps one isolate and one context with a trivial async function, and answers
// each message `{ id }` with `{ id, value }`: the function applied with a timeout, its JSON
// result parsed. Nothing else: no limits but the time, no logs, no KV, no judging.
import ivm from 'isolated-vm';

const isolate = new ivm.Isolate({ memoryLimit: 128 });
const context = await isolate.createContext();
const fn = await isolate.compileScript('(async function () { return JSON.stringify({ ok: true }); })').then((s) => s.run(context, { reference: true }));

process.on('message', async ({ id }) => {
  const text = await fn.apply(undefined, [], { result: { promise: true, copy: true }, timeout: 1000 });
  process.send({ id, value: JSON.parse(text) });
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
