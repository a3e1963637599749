import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

const HOST = 'secrets.example.test';
/** Shaped like an Azure AD client secret: `~` is kept as is by encodeURIComponent, but not in a query. */
const TOKEN = 'Xy8Q~s3cr3t.Cl1ent_v4lue';
/** Spaces and a quote: spelled differently in a path, a query string and a form-encoded query. */
const PHRASE = "open sesame's door";

/**
 * A hook that puts both secrets everywhere a run records: log lines and their data, the
 * HTTP log (query option, raw query, path), the error, the return value.
 */
const leaky = (tail: string) => `async function run(ctx) {
  const { token, phrase } = ctx.secrets;
  console.log('token is ' + token + ', phrase is ' + phrase);
  ctx.log.warn('as data', { token, phrase, nested: [token + '/' + phrase] });
  await ctx.http.get('https://${HOST}/q', { query: { key: token, words: phrase } });
  await ctx.http.get('https://${HOST}/p/' + token + '/' + phrase + '?raw=' + token + '&words=' + phrase);
  await ctx.http.post('https://${HOST}/body', { token, phrase });
  ${tail}
}`;

describeEachEngine('secrets in PUSH, pre- and post-hook executions', (engine) => {
  let server: TestHttpsServer;
  let t: TestApp;
  let acme: TestTenant;
  let integrationId: string;

  beforeAll(async () => {
    server = await startHttpsServer(HOST, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    t = await createTestApp(engine, {
      egress: { allowPrivate: true, ca: server.ca, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }] },
      worker: true,
    });
    acme = await t.tenant('acme');
    integrationId = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/integrations', payload: { name: 'Vault', sourceSystemKey: 'vault' } })).json().id;
    for (const [name, value] of [['token', TOKEN], ['phrase', PHRASE]]) {
      const put = await t.call(acme.keys.admin, { method: 'PUT', url: `/v1/integrations/${integrationId}/secrets/${name}`, payload: { value } });
      expect(put.statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.dispose();
    await server?.close();
  });

  /** Every spelling of a secret that would give it away. */
  function expectNoSecret(text: string, where: string): void {
    for (const value of [TOKEN, PHRASE]) {
      for (const form of new Set([value, encodeURIComponent(value), new URLSearchParams([['', value]]).toString().slice(1), new URL(`https://x/?${value}`).search.slice(1)])) {
        expect(text.includes(form), `${where} contains ${form}`).toBe(false);
      }
    }
  }

  async function hook(type: 'push' | 'pre' | 'post', code: string): Promise<string> {
    const res = await t.call(acme.keys.editor, {
      method: 'POST',
      url: `/v1/integrations/${integrationId}/hooks`,
      payload: { name: `${type}-${Math.random().toString(36).slice(2, 6)}`, type, entityType: 'project', code, ...(type === 'push' ? {} : { operations: ['create'] }) },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  /** Every execution of a hook, as a viewer reads them, once `count` have finished. */
  async function executions(hookId: string, count: number): Promise<string> {
    let body = '';
    await waitFor(async () => {
      const res = await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/hooks/${hookId}/executions` });
      body = res.body;
      const items = res.json().items as Array<{ id: string; status: string }>;
      return items.length >= count && items.every((e) => !['queued', 'running'].includes(e.status));
    }, 20_000);
    const items = JSON.parse(body).items as Array<{ id: string }>;
    const one = await Promise.all(items.map(async (e) => (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/executions/${e.id}` })).body));
    return body + one.join('');
  }

  it('redacts a PUSH hook that logs, sends, throws and returns its secrets, in runs, retries and dry runs', async () => {
    const hookId = await hook('push', leaky(`if (ctx.event.after && ctx.event.after.name === 'throw') throw new Error('bad ' + token + ' ' + phrase);
  return { token, phrase };`));
    const sent = server.requests.length;
    const created = await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/project', payload: { name: 'throw' } });
    expect(created.statusCode).toBe(201);
    const text = await executions(hookId, 1);
    // The receiver got the real values: only the record is redacted.
    expect(server.requests.slice(sent).some((r) => r.body.includes(TOKEN))).toBe(true);
    expect(text).toContain('[secret:token]');
    expect(text).toContain('[secret:phrase]');
    expectNoSecret(text, 'PUSH executions');

    const dry = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/test`, payload: {} });
    expect(dry.json()).toMatchObject({ status: 'completed', dryRun: true });
    expect(dry.json().logs.at(-1).data).toEqual({ token: '[secret:token]', phrase: '[secret:phrase]' });
    expectNoSecret(dry.body, 'PUSH dry run');
    const thrown = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/test`, payload: { event: { after: { name: 'throw' } } } });
    expect(thrown.json().error.message).toBe('bad [secret:token] [secret:phrase]');
    expectNoSecret(thrown.body, 'PUSH dry run that throws');
  });

  it('redacts pre- and post-hooks in executions and errors, and leaves what they answer the caller as they gave it', async () => {
    const pre = await hook('pre', leaky(`if (ctx.request.message.name === 'throw') throw new Error('bad ' + token + ' ' + phrase);
  if (ctx.request.message.name === 'stop') return { status: 403, message: 'no ' + token + ' ' + phrase };
  return { status: 200 };`));
    const post = await hook('post', leaky(`return { responseOverride: { echoed: token + ' ' + phrase } };`));
    const answers: string[] = [];
    for (const name of ['throw', 'stop', 'go']) {
      const res = await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/project', payload: { name } });
      answers.push(res.body);
      expect(res.statusCode, name).toBe({ throw: 502, stop: 403, go: 201 }[name]);
    }
    // An error is for people to read: redacted. A status message or an override is the
    // hook's answer to the caller: redaction never changes it.
    expect(answers[0]).toContain('[secret:token]');
    expectNoSecret(answers[0], 'the 502 of a pre-hook that throws');
    expect(JSON.parse(answers[1]).error.message).toBe(`no ${TOKEN} ${PHRASE}`);
    expect(JSON.parse(answers[2])).toEqual({ echoed: `${TOKEN} ${PHRASE}` });
    const text = (await executions(pre, 3)) + (await executions(post, 1));
    expectNoSecret(text, 'pre/post executions');

    for (const id of [pre, post]) {
      const dry = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${id}/test`, payload: { request: { message: { name: 'stop' } } } });
      expect(dry.json().status).toBe('completed');
      expectNoSecret(dry.body, 'pre/post dry run');
    }
  });
});
