/**
 * The web UI in a real browser against a real `hookyard serve` and a local HTTPS HR API:
 * an integration, a secret, a pull hook typed in the editor with completion, its Test,
 * Run now with live progress, the execution's HTTP log; a failing hook's error at its
 * line; what a viewer may not do; and axe-core on the main screens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { launchBrowser, describeInBrowser, type TestBrowser } from '../helpers/browser.js';
import { HOOKS, HR_HOST, makePeople, startHrApi, type HrApi } from '../helpers/hr-api.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const ADMIN_KEY = `hyk_${'u'.repeat(43)}`;
/** `npm run screenshots` sets it to docs/screenshots: the journey takes the README's pictures. */
const SHOTS = process.env.HOOKYARD_UI_SHOTS && path.resolve(process.env.HOOKYARD_UI_SHOTS);

describeInBrowser('the web UI', () => {
  // A browser, a server and a sandbox share two cores with the rest of the suite: room to be slow.
  vi.setConfig({ testTimeout: 90_000 });
  let hr: HrApi;
  let cwd: string;
  let server: ServeProcess;
  let browser: TestBrowser;
  let page: Page;
  let integrationUrl: string;
  let pullHookUrl: string;
  let executionUrl: string;
  let automationUrl: string;

  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const api = async (url: string, body?: unknown) =>
    (await fetch(`${server.url}${url}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })).json() as Promise<any>;

  /** The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page now. */
  async function seriousViolations(name: string): Promise<string[]> {
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${name}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  /** Replaces the editor's text: `before`, then `typed` key by key (completion on), then `after`. */
  async function typeCode(before: string, typed = '', after = '') {
    const content = page.locator('.cm-content');
    await content.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(before);
    if (typed) await page.keyboard.type(typed);
    if (after) await page.keyboard.insertText(after);
  }

  async function newHook(name: string) {
    await page.goto(integrationUrl);
    await page.getByLabel('Hook name').fill(name);
    await page.getByRole('button', { name: 'Create hook' }).click();
    await page.waitForURL(/\/hooks\/[^/]+$/);
    await page.locator('.cm-content').waitFor();
  }

  async function signIn(key: string) {
    await page.goto(server.url);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
  }

  beforeAll(async () => {
    hr = await startHrApi(makePeople(25, 'U'));
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-e2e-ui-'));
    fs.writeFileSync(path.join(cwd, 'ca.pem'), hr.server.ca);
    server = await startServe({
      cwd,
      env: {
        HOOKYARD_ADMIN_KEY: ADMIN_KEY,
        HOOKYARD_MASTER_KEY: 'e2e-master-key-0123456789abcdef0123',
        HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
        HOOKYARD_EGRESS_CONNECT_TO: `${HR_HOST}:443:127.0.0.1:${hr.server.port}`,
        HOOKYARD_EGRESS_CA_FILE: path.join(cwd, 'ca.pem'),
      },
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await hr?.close();
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('signs in, creates an integration and adds a secret whose value is never shown', async () => {
    await page.goto(server.url);
    await shot('sign-in');
    await signIn(ADMIN_KEY);
    await page.getByLabel('Name', { exact: true }).fill('HR system');
    // A key the API refuses: its message lands by that input, and what was typed stays.
    await page.getByLabel('Source system key').fill('Not A Key!');
    await page.getByRole('button', { name: 'Create integration' }).click();
    await page.locator('[data-field-error="sourceSystemKey"]').waitFor();
    expect(await page.getByLabel('Source system key').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('HR system');
    await page.getByLabel('Source system key').fill('hr');
    await page.getByRole('button', { name: 'Create integration' }).click();
    await page.getByRole('heading', { name: 'HR system' }).waitFor();
    integrationUrl = page.url();

    await page.getByLabel('Secret name').fill('token');
    await page.getByLabel('Value').fill('s3cret-value-for-hr');
    await page.getByRole('button', { name: 'Save secret' }).click();
    await page.locator('li.secret', { hasText: 'token' }).waitFor();
    expect(await page.content()).not.toContain('s3cret-value-for-hr');
    await shot('integration');
  });

  it('writes a pull hook in the editor with ctx completion and tests it: every record would be created', async () => {
    await newHook('People');
    pullHookUrl = page.url();
    const code = HOOKS.page();
    const at = code.indexOf('ctx.http.get');
    // `ctx.ht` is typed key by key; Enter takes the completion, which must be `http`.
    await typeCode(code.slice(0, at), 'ctx.ht');
    const option = page.locator('.cm-tooltip-autocomplete li[aria-selected="true"]');
    await option.waitFor();
    expect(await option.textContent()).toContain('http');
    // CodeMirror ignores Enter for 75 ms after the list opens (so a fast typist does not take a completion by accident).
    await page.waitForTimeout(200);
    await page.keyboard.press('Enter');
    await page.keyboard.insertText(code.slice(at + 'ctx.http'.length));
    await shot('hook-editor');

    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.locator('tr[data-outcome="would-create"]').first().waitFor();
    expect(await page.locator('tr[data-outcome="would-create"]').count()).toBe(25);
    expect(await page.getByTestId('count-wouldCreate').textContent()).toBe('25');
    await shot('hook-test');
    // What was typed is what was saved.
    const hookId = pullHookUrl.split('/').pop()!;
    expect((await api(`/v1/hooks/${hookId}`)).code).toBe(code);
    // The dry run wrote nothing.
    expect((await api('/v1/entities/employee')).items).toHaveLength(0);
  });

  it('enables the hook, runs it now, watches the progress reach the end and opens the execution', async () => {
    await page.getByLabel('Enabled').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Saved' }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByTestId('run-progress').filter({ hasText: 'completed' }).waitFor();
    expect(await page.getByTestId('run-progress').textContent()).toContain('3 pages');
    await page.waitForURL(/\/executions\/[^/]+$/);
    executionUrl = page.url();
    await page.getByTestId('http-log').waitFor();
    const calls = page.locator('[data-testid="http-log"] tbody tr');
    expect(await calls.count()).toBe(3);
    expect(await calls.first().textContent()).toContain(`https://${HR_HOST}/page`);
    expect(await page.getByTestId('count-created').textContent()).toBe('25');
    await shot('execution');
    expect((await api('/v1/entities/employee?limit=100')).items).toHaveLength(25);

    await page.goto(`${pullHookUrl}/executions`);
    await page.getByTestId('executions').waitFor();
    await page.locator('.chart canvas').first().waitFor();
    expect(await page.getByRole('img', { name: 'Records written per run: 1 runs wrote 25 records' }).count()).toBe(1);
    await shot('executions');

    await page.goto(`${server.url}/entities/employee`);
    await page.getByRole('link', { name: 'Given1', exact: true }).waitFor();
    await shot('entities');
    await page.getByRole('link', { name: 'Given1', exact: true }).click();
    await page.getByRole('heading', { name: 'Links' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('external id U-1');
  });

  it('tests again after a change in the HR system: the changed record would be updated, field by field', async () => {
    hr.people[0] = { ...hr.people[0]!, given: 'Renamed' };
    await page.goto(pullHookUrl);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const updated = page.locator('tr[data-outcome="would-update"]');
    await updated.waitFor();
    expect(await updated.count()).toBe(1);
    expect(await updated.textContent()).toContain('firstName: "Given1" → "Renamed"');
    expect(await page.locator('tr[data-outcome="would-skip"]').count()).toBe(24);
  });

  it('marks a syntax error at its line on save, keeps what was typed, and shows a run-time error at its line', async () => {
    await newHook('Broken');
    const bad = 'async function run(ctx) {\n  const x = ;\n  return { records: [] };\n}\n';
    await typeCode(bad);
    await page.keyboard.press('Control+s');
    await page.locator('[data-field-error="code"]').waitFor();
    // The mark sits on line 2, where the server says the error is.
    await page.locator('.cm-line').nth(1).locator('.cm-lintRange-error').waitFor();
    expect(await page.locator('.cm-content').innerText()).toContain('const x = ;');
    // Leaving with the unsaved draft asks first; staying keeps it.
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('alertdialog', { name: 'Leave without saving?' }).waitFor();
    await page.getByRole('button', { name: 'Stay' }).click();
    expect(page.url()).toMatch(/\/hooks\/[^/]+$/);
    expect(await page.locator('.cm-content').innerText()).toContain('const x = ;');

    const throwing = 'async function run(ctx) {\n  ctx.log.info("about to fail");\n  throw new Error("HR said no");\n}\n';
    await typeCode(throwing);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByTestId('error-line').waitFor();
    expect(await page.getByTestId('error-line').textContent()).toBe('line 3');
    expect(await page.locator('.code-excerpt .error-line').textContent()).toContain('throw new Error("HR said no")');
    expect(await page.getByTestId('console-log').textContent()).toContain('about to fail');
    await shot('hook-error');
  });

  it('retries a failed PUSH run from its execution page', async () => {
    const integrationId = integrationUrl.split('/').pop()!;
    const code = 'async function run(ctx) {\n  throw new Error("receiver is down for " + ctx.event.after.lastName);\n}\n';
    const hook = await api(`/v1/integrations/${integrationId}/hooks`, { name: 'Notify', type: 'push', entityType: 'project', changeTypes: ['create'], retry: { attempts: 1 }, code });
    await api('/v1/entities/project', { name: 'Apollo' });
    let failed: any;
    for (let i = 0; i < 100 && !failed; i++) {
      failed = (await api(`/v1/hooks/${hook.id}/executions?status=failed`)).items[0];
      if (!failed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(failed).toBeDefined();
    await page.goto(`${server.url}/executions/${failed.id}`);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/executions/') && !url.pathname.endsWith(failed.id));
    const retried = await api(`/v1/executions/${page.url().split('/').pop()}`);
    expect(retried.hookId).toBe(hook.id);
    expect(retried.trigger).toBe('retry');
  });

  it('tests an inbound hook with its sample request: the record would be created and the answer is logged', async () => {
    const integrationId = integrationUrl.split('/').pop()!;
    const code = 'async function run(ctx) {\n  const p = ctx.request.body;\n  return { records: [{ externalId: p.id, data: { firstName: p.firstName, lastName: p.lastName, email: p.email } }], response: { status: 202 } };\n}\n';
    const hook = await api(`/v1/integrations/${integrationId}/hooks`, { name: 'Hires', type: 'inbound', path: 'hires', entityType: 'employee', code });
    await page.goto(`${server.url}/hooks/${hook.id}`);
    await page.getByLabel('Fixture: ctx.request (JSON)').waitFor();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const created = page.locator('tr[data-outcome="would-create"]');
    await created.waitFor();
    expect(await created.textContent()).toContain('p1');
    expect(await page.getByTestId('console-log').textContent()).toContain('dry run: the hook would answer 202');
    await shot('hook-inbound-test');
  });

  it('type-checks a TypeScript hook as it is typed: a misspelt ctx member is marked with what TypeScript says, and the fixed code is clean', async () => {
    const integrationId = integrationUrl.split('/').pop()!;
    const code = 'async function run(ctx) {\n  const res = await ctx.http.post("https://hr.example.test/billing/events", { id: ctx.event.id });\n  if (res.status >= 300) throw new Error("answered " + res.status);\n}\n';
    const hook = await api(`/v1/integrations/${integrationId}/hooks`, { name: 'Typed', type: 'push', entityType: 'employee', language: 'typescript', code });
    await page.goto(`${server.url}/hooks/${hook.id}`);
    await page.locator('.cm-content').waitFor();
    const worker = page.waitForResponse((response) => response.url().includes('/assets/type-check.worker'));
    await typeCode(code.replace('ctx.http.post', 'ctx.htp.post'));
    const marked = page.locator('.cm-line').nth(1).locator('.cm-lintRange-error');
    // The first check loads the compiler in its worker, brotli-compressed by the build.
    await marked.waitFor({ timeout: 20_000 });
    expect((await worker).headers()['content-encoding']).toBe('br');
    expect(await marked.textContent()).toBe('htp');
    await marked.hover();
    const tooltip = page.locator('.cm-tooltip-lint');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain("Property 'htp' does not exist on type 'PushCtx<any, any>'. Did you mean 'http'?");
    await shot('hook-type-error');
    await typeCode(code);
    await page.locator('.cm-lintRange-error').waitFor({ state: 'detached' });
    // A JavaScript hook is not type-checked: the same slip is found when it runs.
    await page.getByLabel('Language').selectOption('javascript');
    await typeCode(code.replace('ctx.http.post', 'ctx.htp.post'));
    await page.waitForTimeout(1000);
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
  });

  it('builds an automation with two cases in the form builder and sees its test run take the second', async () => {
    await page.goto(`${server.url}/automations/new`);
    await page.getByLabel('Automation name').fill('Greet new people');
    const action = page.getByRole('group', { name: 'action 1' });
    await action.getByLabel('With cases').check();
    const first = page.getByRole('listitem', { name: 'case 1' });
    await first.getByLabel('Field').fill('after.email');
    await first.getByLabel('Test').selectOption('endsWith');
    await first.getByLabel('Value').fill('@hr.example.test');
    await first.getByLabel('message').fill('From HR: {{after.firstName}}');
    await page.getByRole('button', { name: 'Add “otherwise” case' }).click();
    const second = page.getByRole('listitem', { name: 'case 2' });
    await second.getByLabel('level').fill('info');
    await second.getByLabel('message').fill('Someone else: {{after.firstName}}');
    // The JSON view followed every change.
    const definition = JSON.parse(await page.getByLabel('JSON').inputValue());
    expect(definition.actions[0].cases).toHaveLength(2);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/automations\/(?!new)[^/]+$/);
    automationUrl = page.url();

    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByTestId('steps').waitFor();
    const actionStep = page.locator('[data-testid="steps"] tr[data-step="action"]');
    expect(await actionStep.textContent()).toContain('case else');
    expect(await actionStep.textContent()).toContain('Someone else: Ada');
    await shot('automation');

    // An automation's executions chart its runs, not records: its runs write none of their own.
    await page.getByRole('img', { name: /^Runs per day/ }).waitFor();
    expect(await page.getByRole('img', { name: /^Records written per run/ }).count()).toBe(0);

    // Run now with a payload: a real run, the payload as trigger.body.
    const greeter = await api('/v1/automations', { name: 'Greeter', trigger: { type: 'manual' }, actions: [{ type: 'log', params: { level: 'info', message: 'hello {{trigger.body.name}}' } }] });
    await page.goto(`${server.url}/automations/${greeter.id}`);
    const payload = page.getByLabel('Payload: trigger.body (JSON)');
    await payload.fill('{ "name": ');
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.locator('[data-field-error="payload"]').waitFor();
    await payload.fill('{ "name": "Grace" }');
    // Editing the payload clears what was said of the last one.
    await page.locator('[data-field-error="payload"]').waitFor({ state: 'detached' });
    await shot('automation-run-now');
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/executions\/[^/]+$/);
    // The page opens on the queued run and follows it to its end.
    await page.getByText('hello Grace').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('.execution > p > .badge').first().textContent()).toBe('completed');

    // A schedule card, once saved, shows its next run times (from the schedule endpoint).
    await page.goto(`${server.url}/automations/new`);
    await page.getByLabel('Automation name').fill('Every morning');
    await page.getByLabel('When').selectOption('schedule');
    await page.getByLabel('Start (local)').fill('2030-01-07T09:00');
    await page.getByLabel('Time zone').fill('Europe/Amsterdam');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('next-runs').waitFor();
    expect(await page.locator('[data-testid="next-runs"] li').allTextContents()).toEqual([
      '2030-01-07T09:00:00+01:00',
      '2030-01-08T09:00:00+01:00',
      '2030-01-09T09:00:00+01:00',
      '2030-01-10T09:00:00+01:00',
      '2030-01-11T09:00:00+01:00',
    ]);
  });

  it('passes axe-core with no serious violation on the main screens, at desktop and phone width', async () => {
    const screens = { integrations: `${server.url}/integrations`, integration: integrationUrl, editor: pullHookUrl, execution: executionUrl, executions: `${pullHookUrl}/executions`, automation: automationUrl };
    for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(size);
      for (const [name, url] of Object.entries(screens)) {
        await page.goto(url);
        await page.locator('main h1').first().waitFor();
        if (name === 'editor') await page.locator('.cm-content').waitFor();
        if (size.width < 500 && (name === 'editor' || name === 'integration')) await shot(`phone-${name}`);
        expect(await seriousViolations(`${name} @${size.width}`)).toEqual([]);
        // Nothing wider than the screen (the page scrolls only down).
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'), `${name} @${size.width}`).toBe(true);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 120_000);

  it('shows an editor no secret or key management, and a viewer no write buttons and no secrets or keys', async () => {
    const createKey = async (name: string, role: string) => {
      await page.goto(`${server.url}/api-keys`);
      await page.getByLabel('Key name').fill(name);
      await page.getByLabel('Role').selectOption(role);
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = (await page.getByTestId('new-key').textContent())!;
      expect(key).toMatch(/^hyk_/);
      return key;
    };
    const editorKey = await createKey('writer', 'editor');
    const viewerKey = await createKey('read only', 'viewer');
    await shot('api-keys');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(editorKey);
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await page.goto(integrationUrl);
    await page.locator('li.secret', { hasText: 'token' }).waitFor();
    expect(await page.getByRole('button', { name: /Save secret|Replace/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create hook' }).count()).toBe(1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await seriousViolations('sign-in')).toEqual([]);
    await signIn(viewerKey);
    expect(await page.getByTestId('role').textContent()).toBe('viewer');
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create integration' }).count()).toBe(0);
    await page.goto(integrationUrl);
    await page.getByRole('heading', { name: 'Hooks' }).waitFor();
    expect(await page.getByRole('button', { name: /Create hook|Save|Delete/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Secrets' }).count()).toBe(0);
    await page.goto(pullHookUrl);
    await page.locator('.cm-content').waitFor();
    expect(await page.getByRole('button', { name: /Save|Test|Run now|Delete/ }).count()).toBe(0);
    expect(await page.locator('.cm-content').getAttribute('contenteditable')).toBe('false');
  });
});
