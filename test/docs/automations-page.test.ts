/**
 * The curl examples of docs/automations.md's introduction and triggers, sent to a real app:
 * the automations they create are accepted, and the dry run and the real run answer what
 * the page says they do.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { waitFor } from '../helpers/jobs.js';
import { ENGINES } from '../helpers/stores.js';
import { codeBlocks, readDoc } from './markdown.js';

/** Each curl of the page's sh blocks: its method, path (after `$HY`) and JSON body. */
const calls = codeBlocks(readDoc('docs/automations.md'))
  .filter((block) => block.lang === 'sh')
  .flatMap((block) => block.code.split(/\n(?=curl )/))
  .map((command) => {
    const method = /-X (\w+)/.exec(command)?.[1] ?? 'GET';
    const url = /"\$HY(\/[^"]+)"/.exec(command)![1]!;
    const body = /-d '([\s\S]*?)'/.exec(command)?.[1];
    return { method, url, body: body === undefined ? undefined : (JSON.parse(body) as Record<string, unknown>) };
  });
const find = (method: string, url: string) => calls.find((c) => c.method === method && c.url === url)!;

let t: TestApp;
let acme: TestTenant;

beforeAll(async () => {
  t = await createTestApp(ENGINES[0]!, { worker: true });
  acme = await t.tenant('acme-docs');
});
afterAll(async () => t?.dispose());

const send = (call: { method: string; url: string; body?: Record<string, unknown> }, automation = '') =>
  t.call(acme.keys.editor, { method: call.method as 'POST', url: call.url.replace('$AUTOMATION', automation), ...(call.body && { payload: call.body }) });

it('creates the first automation, whose dry run and real run do what the page says', async () => {
  const creates = calls.filter((c) => c.method === 'POST' && c.url === '/v1/automations');
  expect(creates.length).toBeGreaterThanOrEqual(2);
  const created = await send(creates[0]!);
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id;

  const dry = (await send(find('POST', '/v1/automations/$AUTOMATION/test'), id)).json();
  expect(dry.steps[0]).toMatchObject({ kind: 'condition', result: true });
  expect(JSON.stringify(dry.steps)).toContain('after.email');
  expect(dry.steps.at(-1)).toMatchObject({ kind: 'action', type: 'log', case: 0, status: 'skipped', params: { message: 'Senior hire: Ada Lovelace' } });

  expect((await send(find('POST', '/v1/entities/employee'))).statusCode).toBe(201);
  let runs: any[] = [];
  await waitFor(async () => (runs = (await send(find('GET', '/v1/automations/$AUTOMATION/executions'), id)).json().items).length > 1, 20_000);
  expect(runs.map((r) => r.trigger)).toEqual(['event', 'test']);
  expect(runs[0]).toMatchObject({ status: 'completed' });
  expect(runs[0].steps.at(-1)).toMatchObject({ kind: 'action', case: 'else', status: 'completed' });
  expect(runs[0].logs.map((l: { message: string }) => l.message)).toContain('New engineer: Grace');
});

it('accepts every other automation the page creates', async () => {
  for (const call of calls.filter((c) => c.method === 'POST' && c.url === '/v1/automations').slice(1)) {
    const res = await send(call);
    expect(res.statusCode, res.body).toBe(201);
  }
});
