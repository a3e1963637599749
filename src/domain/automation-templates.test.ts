import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RENDERED_CHARS, MAX_TEMPLATE_WARNINGS, parseTemplate, renderParams, templatePaths } from './automation-templates.js';
import type { AutomationScope } from './automations.js';

const scope: AutomationScope = {
  before: { fte: 0.5 },
  after: { firstName: 'Ada', fte: 1, remote: true, tags: ['eng', 'ops'], customAttributes: { level: 'senior' }, middleName: null },
  trigger: { body: { id: 42 }, headers: { 'x-id': 'abc' } },
  actions: { lookup: { response: { total: 3, items: [{ id: 'i1' }] } } },
  now: '2026-12-01T09:00:00.000Z',
  org: { id: 'o1', slug: 'acme', name: 'Acme', timeZone: 'Europe/Amsterdam' },
};

describe('parseTemplate', () => {
  it('splits text and paths, allowing whitespace inside the braces', () => {
    expect(parseTemplate('Hi {{ after.firstName }}!')).toEqual({
      ok: true,
      parts: [{ text: 'Hi ' }, { field: 'after.firstName', segments: ['after', 'firstName'] }, { text: '!' }],
    });
    expect(parseTemplate('{{a.b}}'.replace('a.b', 'now'))).toEqual({ ok: true, parts: [{ field: 'now', segments: ['now'] }] });
    expect(parseTemplate('no template }} here')).toEqual({ ok: true, parts: [{ text: 'no template }} here' }] });
    expect(parseTemplate('')).toEqual({ ok: true, parts: [{ text: '' }] });
  });

  it('refuses an unclosed {{, an empty {{}}, a bad path and an unknown root, saying where', () => {
    expect(parseTemplate('Hi {{after.firstName')).toEqual({ ok: false, message: 'has an unclosed "{{" at character 4' });
    expect(parseTemplate('a {{ }} b')).toEqual({ ok: false, message: 'has an empty "{{}}" at character 3' });
    expect(parseTemplate('{{after..x}}')).toEqual({ ok: false, message: 'has a template at character 1 whose path has an empty segment at character 7' });
    expect(parseTemplate('{{after.first name}}')).toEqual({ ok: false, message: 'has a template at character 1 whose path must not contain a space (at character 12)' });
    expect(parseTemplate('x {{firstName}}')).toEqual({
      ok: false,
      message: 'has "{{firstName}}" at character 3, which does not start with one of before, after, event, trigger, actions, now, org',
    });
  });
});

describe('renderParams', () => {
  it('keeps the JSON type of a whole-string template', () => {
    const { value, warnings } = renderParams(
      { fte: '{{after.fte}}', remote: '{{ after.remote }}', tags: '{{after.tags}}', attrs: '{{after.customAttributes}}', none: '{{after.middleName}}', id: '{{trigger.body.id}}' },
      scope,
    );
    expect(value).toEqual({ fte: 1, remote: true, tags: ['eng', 'ops'], attrs: { level: 'senior' }, none: null, id: 42 });
    expect(warnings).toEqual([]);
  });

  it('writes values as text inside longer strings: objects as JSON, null as nothing', () => {
    const { value } = renderParams(
      { text: 'Hi {{after.firstName}} ({{after.fte}}, {{after.remote}}) {{after.tags}} {{after.customAttributes}} [{{after.middleName}}]', both: '{{after.firstName}}{{after.fte}}', space: ' {{after.fte}}' },
      scope,
    );
    expect(value).toEqual({ text: 'Hi Ada (1, true) ["eng","ops"] {"level":"senior"} []', both: 'Ada1', space: ' 1' });
  });

  it('walks nested objects and arrays, and reads earlier actions, the trigger and the org', () => {
    const params = { body: { items: ['{{actions.lookup.response.items.0.id}}', 7, null, { n: '{{actions.lookup.response.total}}' }] }, headers: { 'x-id': '{{trigger.headers.x-id}}' }, subject: '{{org.name}} at {{now}}' };
    expect(renderParams(params, scope)).toEqual({
      value: { body: { items: ['i1', 7, null, { n: 3 }] }, headers: { 'x-id': 'abc' }, subject: 'Acme at 2026-12-01T09:00:00.000Z' },
      warnings: [],
    });
  });

  it('renders missing values empty, whole-string or not, with a warning naming the param and the path', () => {
    const { value, warnings } = renderParams({ subject: 'Hi {{after.lastName}}!', to: '{{after.email}}', list: ['{{before.firstName}}'] }, scope);
    expect(value).toEqual({ subject: 'Hi !', to: '', list: [''] });
    expect(warnings).toEqual([
      'subject: {{after.lastName}} has no value; rendered empty',
      'to: {{after.email}} has no value; rendered empty',
      'list/0: {{before.firstName}} has no value; rendered empty',
    ]);
  });

  it('leaves a string whose template does not parse as written, with a warning', () => {
    expect(renderParams({ text: 'Hi {{after.firstName' }, scope)).toEqual({
      value: { text: 'Hi {{after.firstName' },
      warnings: ['text: the template has an unclosed "{{" at character 4; left as written'],
    });
  });

  it('never reads inherited properties of the scope', () => {
    const { value, warnings } = renderParams({ a: '{{after.constructor}}', b: 'x{{org.toString}}' }, scope);
    expect(value).toEqual({ a: '', b: 'x' });
    expect(warnings).toHaveLength(2);
  });

  it('does not render keys, and keeps a __proto__ key a key', () => {
    const params = JSON.parse('{"{{after.firstName}}": 1, "__proto__": {"x": "{{after.fte}}"}}');
    const { value } = renderParams(params, scope);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(['{{after.firstName}}', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ x: 1 });
  });

  it('stops writing large values once the budget is spent', () => {
    const big = 'x'.repeat(MAX_RENDERED_CHARS / 2 + 1);
    const { value, warnings } = renderParams({ a: '<{{trigger.big}}>', b: '<{{trigger.big}}>', c: '{{trigger.big}}' }, { ...scope, trigger: { big } });
    expect(value).toEqual({ a: `<${big}>`, b: '<>', c: big });
    expect(warnings).toEqual([`b: templates wrote more than ${MAX_RENDERED_CHARS} characters; the rest render empty`]);
  });

  it('caps the warnings', () => {
    const params = Object.fromEntries(Array.from({ length: MAX_TEMPLATE_WARNINGS + 5 }, (_, i) => [`p${i}`, '{{after.nope}}']));
    const { warnings } = renderParams(params, scope);
    expect(warnings).toHaveLength(MAX_TEMPLATE_WARNINGS + 1);
    expect(warnings.at(-1)).toBe('more warnings were left out');
  });

  it('never throws on any JSON params and scope, and leaves strings without templates alone (property)', () => {
    const templated = fc.oneof(fc.string(), fc.constantFrom('{{after.a}}', 'x {{before.a.0}} y', '{{', '{{}}', '{{trigger}}', '}}{{org.name}}'));
    const params = fc.jsonValue().chain((base) => fc.tuple(fc.constant(base), fc.dictionary(fc.string(), templated)));
    fc.assert(
      fc.property(params, fc.jsonValue(), fc.jsonValue(), ([base, extra], before, after) => {
        const { value, warnings } = renderParams({ base, extra }, { ...scope, before, after, trigger: after });
        expect(Array.isArray(warnings)).toBe(true);
        if (!JSON.stringify(base).includes('{{')) expect((value as { base: unknown }).base).toEqual(base);
      }),
    );
  });
});

describe('templatePaths', () => {
  it('lists every template with where it sits, and an issue for each that does not parse', () => {
    const params = { subject: 'Hi {{after.firstName}} {{ after.lastName }}', body: { items: ['{{actions.lookup.response}}', 'x'] }, bad: 'oops {{', worse: ['{{nope.x}}'] };
    const { refs, issues } = templatePaths(params);
    expect(refs.map((r) => [r.at, r.field])).toEqual([
      ['subject', 'after.firstName'],
      ['subject', 'after.lastName'],
      ['body/items/0', 'actions.lookup.response'],
    ]);
    expect(issues).toEqual([
      { path: 'bad', message: 'bad has an unclosed "{{" at character 6' },
      { path: 'worse/0', message: 'worse/0 has "{{nope.x}}" at character 1, which does not start with one of before, after, event, trigger, actions, now, org' },
    ]);
  });
});
