import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

type Body = Record<string, unknown>;

describeEachEngine('entities API', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    key = acme.keys.editor;
  });
  afterAll(async () => t?.dispose());

  const post = (type: string, payload: unknown) => t.call(key, { method: 'POST', url: `/v1/entities/${type}`, payload: payload as Body });
  const get = (url: string) => t.call(key, { method: 'GET', url });
  const created = async (type: string, payload: Body) => {
    const res = await post(type, payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const count = async (type: string) => {
    const { n } = await t.store.db
      .selectFrom('entities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', acme.org.id)
      .where('type', '=', type)
      .executeTakeFirstOrThrow();
    return Number(n);
  };

  /** For each type: two records that differ in a filterable field, the filter, and a patch. */
  const cases = () => [
    {
      type: 'employee',
      records: [
        { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test', jobRole: 'Engineer', teamAllocations: [{ teamName: 'Core', fte: 0.5, startDate: '2024-01-01' }] },
        { firstName: 'Alan', lastName: 'Turing', email: 'alan@acme.test', jobRole: { title: 'Researcher' } },
        { firstName: 'Grace', lastName: 'Hopper', email: 'grace@acme.test' },
      ],
      filter: 'email=alan%40acme.test',
      patch: { startDate: '2024-03-01', salaryAdjustments: [{ effectiveDate: '2024-03-01', amount: 5000, currencyCode: 'EUR', reason: 'promotion' }] },
    },
    {
      type: 'vacancy',
      records: [{ role: 'SRE' }, { role: 'Designer', status: 'on_hold', fte: 0.5 }, { role: 'PM', currencyCode: 'GBP', salaryMin: 50000 }],
      filter: 'status=on_hold',
      patch: { status: 'filled', filledBy: { externalId: 'E-7' } },
    },
    {
      type: 'contractor',
      records: [{ name: 'Bob' }, { name: 'Initech', contractorType: 'agency', rateType: 'daily', rate: 800, currencyCode: 'EUR' }, { name: 'Carol' }],
      filter: 'rate=800',
      patch: { rate: 850, endDate: '2025-12-31' },
    },
    {
      type: 'project',
      records: [{ name: 'Apollo' }, { name: 'Gemini', priority: 2, projectCode: 'GEM' }, { name: 'Mercury' }],
      filter: 'priority=2',
      patch: { status: 'active', estimatedCost: 100000, currencyCode: 'USD' },
    },
    {
      type: 'assignment',
      records: [
        { employeeId: refs.employeeId, projectId: refs.projectId, fte: 1 },
        { contractorId: refs.contractorId, projectId: refs.projectId, role: 'Reviewer', fte: 0.2 },
        { employeeId: refs.employeeId, projectId: refs.projectId, startDate: '2024-01-01', endDate: null },
      ],
      filter: `contractorId=${refs.contractorId}`,
      patch: { role: 'Lead', endDate: '2025-06-30' },
    },
  ];

  let refs: { employeeId: string; contractorId: string; projectId: string };
  beforeAll(async () => {
    refs = {
      employeeId: (await created('employee', { firstName: 'Ref', lastName: 'Employee', email: 'ref@acme.test' })).id,
      contractorId: (await created('contractor', { name: 'Ref Contractor' })).id,
      projectId: (await created('project', { name: 'Ref Project' })).id,
    };
  });

  for (const type of ['employee', 'vacancy', 'contractor', 'project', 'assignment']) {
    describe(type, () => {
      it('creates, reads, lists with a filter and a cursor, patches and deletes', async () => {
        const c = cases().find((x) => x.type === type)!;
        const { records, filter, patch } = c;
        const before = await count(c.type);
        const ids: string[] = [];
        for (const record of records) {
          const res = await post(c.type, record);
          expect(res.statusCode, res.body).toBe(201);
          const entity = res.json();
          expect(res.headers.etag).toBe('"1"');
          expect(res.headers.location).toBe(`/v1/entities/${c.type}/${entity.id}`);
          expect(entity).toMatchObject({ type: c.type, version: 1, customAttributes: {} });
          expect(entity.createdAt).toBe(entity.updatedAt);
          for (const [field, value] of Object.entries(record)) if (value !== null) expect(entity[field]).toEqual(value);
          ids.push(entity.id);
        }
        expect(await count(c.type)).toBe(before + records.length);

        const read = await get(`/v1/entities/${c.type}/${ids[1]}`);
        expect(read.statusCode).toBe(200);
        expect(read.headers.etag).toBe('"1"');
        expect(read.json().id).toBe(ids[1]);

        const filtered = (await get(`/v1/entities/${c.type}?${filter}`)).json();
        expect(filtered.items.map((e: Body) => e.id)).toEqual([ids[1]]);
        expect(filtered.nextCursor).toBeNull();

        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await get(`/v1/entities/${c.type}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          expect(page.statusCode).toBe(200);
          const body = page.json();
          expect(body.items.length).toBeLessThanOrEqual(2);
          seen.push(...body.items.map((e: Body) => e.id));
          cursor = body.nextCursor;
        } while (cursor);
        expect(seen).toEqual(expect.arrayContaining(ids));
        expect(new Set(seen).size).toBe(seen.length);

        const patched = await t.call(key, { method: 'PATCH', url: `/v1/entities/${c.type}/${ids[0]}`, payload: patch });
        expect(patched.statusCode, patched.body).toBe(200);
        expect(patched.headers.etag).toBe('"2"');
        expect(patched.json()).toMatchObject({ ...patch, version: 2 });
        const untouched = Object.keys(records[0]).filter((k) => !(k in patch) && records[0][k as keyof (typeof records)[0]] !== null);
        for (const field of untouched) expect(patched.json()[field]).toEqual(records[0][field as keyof (typeof records)[0]]);

        const deleted = await t.call(key, { method: 'DELETE', url: `/v1/entities/${c.type}/${ids[0]}` });
        expect(deleted.statusCode).toBe(204);
        expect((await get(`/v1/entities/${c.type}/${ids[0]}`)).statusCode).toBe(404);
        expect((await t.call(key, { method: 'DELETE', url: `/v1/entities/${c.type}/${ids[0]}` })).statusCode).toBe(404);
      });
    });
  }

  it('gives a vacancy its defaults and a project priority 0', async () => {
    expect(await created('vacancy', { role: 'QA' })).toMatchObject({ status: 'open', fte: 1 });
    expect(await created('project', { name: 'Vostok' })).toMatchObject({ priority: 0 });
  });

  it('clears an optional field with null and leaves absent fields alone', async () => {
    const bob = await created('contractor', { name: 'Bob', email: 'bob@acme.test', rate: 10 });
    const res = await t.call(key, { method: 'PATCH', url: `/v1/entities/contractor/${bob.id}`, payload: { email: null, rateType: 'hourly' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Bob', rate: 10, rateType: 'hourly', version: 2 });
    expect(res.json()).not.toHaveProperty('email');
  });

  it('does not bump the version for a patch that changes nothing', async () => {
    const bob = await created('contractor', { name: 'Bob', rate: 10 });
    const res = await t.call(key, { method: 'PATCH', url: `/v1/entities/contractor/${bob.id}`, payload: { rate: 10 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(bob);
    expect(res.headers.etag).toBe('"1"');
  });

  describe('If-Match', () => {
    it('applies a patch and a delete when the version matches', async () => {
      const p = await created('project', { name: 'Zond' });
      const ok = await t.call(key, { method: 'PATCH', url: `/v1/entities/project/${p.id}`, headers: { 'if-match': '"1"' }, payload: { priority: 3 } });
      expect(ok.statusCode).toBe(200);
      const gone = await t.call(key, { method: 'DELETE', url: `/v1/entities/project/${p.id}`, headers: { 'if-match': '"2"' } });
      expect(gone.statusCode).toBe(204);
    });

    it('answers 409 to a stale version and changes nothing', async () => {
      const p = await created('project', { name: 'Luna' });
      await t.call(key, { method: 'PATCH', url: `/v1/entities/project/${p.id}`, payload: { priority: 1 } });
      for (const method of ['PATCH', 'DELETE'] as const) {
        const res = await t.call(key, { method, url: `/v1/entities/project/${p.id}`, headers: { 'if-match': '"1"' }, payload: { priority: 9 } });
        expect(res.statusCode).toBe(409);
        expect(res.json().error).toMatchObject({ code: 'HY_VERSION_MISMATCH', message: expect.stringContaining('version 2, not 1') });
      }
      const stored = (await get(`/v1/entities/project/${p.id}`)).json();
      expect(stored).toMatchObject({ priority: 1, version: 2 });
    });
  });

  describe('assignments', () => {
    it('answer 422 for a reference to a missing entity or one of the wrong type', async () => {
      const before = await count('assignment');
      const missing = await post('assignment', { employeeId: 'no-such-id', projectId: refs.projectId });
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error.message).toBe('employeeId "no-such-id" is not an entity of this organisation');
      const wrongType = await post('assignment', { employeeId: refs.contractorId, projectId: refs.projectId });
      expect(wrongType.statusCode).toBe(422);
      expect(wrongType.json().error.message).toBe(`employeeId "${refs.contractorId}" has type contractor; expected employee`);
      expect(await count('assignment')).toBe(before);
    });

    it('need exactly one worker, also after a patch', async () => {
      const both = await post('assignment', { employeeId: refs.employeeId, contractorId: refs.contractorId, projectId: refs.projectId });
      expect(both.statusCode).toBe(400);
      expect(both.json().error.message).toContain('exactly one of employeeId, contractorId or vacancyId');
      const a = await created('assignment', { employeeId: refs.employeeId, projectId: refs.projectId });
      const second = await t.call(key, { method: 'PATCH', url: `/v1/entities/assignment/${a.id}`, payload: { contractorId: refs.contractorId } });
      expect(second.statusCode).toBe(400);
      const swapped = await t.call(key, {
        method: 'PATCH',
        url: `/v1/entities/assignment/${a.id}`,
        payload: { employeeId: null, contractorId: refs.contractorId },
      });
      expect(swapped.statusCode, swapped.body).toBe(200);
      expect(swapped.json()).not.toHaveProperty('employeeId');
    });

    it('refuse an external id the API cannot resolve', async () => {
      const res = await post('assignment', { employeeExternalId: 'E-1', projectId: refs.projectId });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toContain('employeeExternalId needs its employeeId');
    });
  });

  describe('bad input', () => {
    const expectUnchanged = async (type: string, expected: number) => expect(await count(type)).toBe(expected);

    it('answers 400 to malformed JSON', async () => {
      const before = await count('employee');
      const res = await t.call(key, { method: 'POST', url: '/v1/entities/employee', headers: { 'content-type': 'application/json' }, payload: '{"firstName": "Ada",' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'HY_BAD_REQUEST', message: expect.stringContaining('not valid JSON') });
      await expectUnchanged('employee', before);
    });

    it('answers 400 naming the field of a wrong type, a missing field, a bad enum, a bad date and a nested item', async () => {
      const before = { employee: await count('employee'), vacancy: await count('vacancy') };
      const ada = { firstName: 'Ada', lastName: 'L', email: 'ada@acme.test' };
      const bad: Array<[string, Body, string]> = [
        ['employee', { ...ada, firstName: 7 }, 'body/firstName must be a string'],
        ['employee', { firstName: 'Ada', lastName: 'L' }, 'body/email is required'],
        ['vacancy', { role: 'SRE', status: 'closed' }, 'body/status must be one of open, filled, cancelled, on_hold'],
        ['employee', { ...ada, endDate: '2023-02-30' }, 'body/endDate must be a real date as YYYY-MM-DD'],
        ['employee', { ...ada, teamAllocations: [{ teamName: 'Core', fte: 2, startDate: '2024-01-01' }] }, 'body/teamAllocations/0/fte must be at most 1'],
        ['employee', { ...ada, shoeSize: 44 }, 'body/shoeSize is not a field of employee'],
      ];
      for (const [type, payload, message] of bad) {
        const res = await post(type, payload);
        expect(res.statusCode, message).toBe(400);
        expect(res.json().error.code).toBe('HY_VALIDATION');
        expect(res.json().error.message).toBe(message);
        expect(res.json().error.details[0]).toEqual({ path: message.split(' ')[0], message });
      }
      expect({ employee: await count('employee'), vacancy: await count('vacancy') }).toEqual(before);
    });

    it('answers 400 to a bad patch and leaves the entity as it was', async () => {
      const p = await created('project', { name: 'Soyuz' });
      const res = await t.call(key, { method: 'PATCH', url: `/v1/entities/project/${p.id}`, payload: { name: null, priority: 'high' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toBe('body/name is required and cannot be cleared; body/priority must be an integer');
      expect((await get(`/v1/entities/project/${p.id}`)).json()).toEqual(p);
    });

    it('answers 404 naming an unknown entity type on every route', async () => {
      for (const [method, url] of [
        ['GET', '/v1/entities/robot'],
        ['POST', '/v1/entities/robot'],
        ['GET', '/v1/entities/robot/1'],
        ['PATCH', '/v1/entities/robot/1'],
        ['DELETE', '/v1/entities/robot/1'],
      ] as const) {
        const res = await t.call(key, { method, url, ...(method === 'POST' || method === 'PATCH' ? { payload: {} } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json().error.message).toContain('unknown entity type "robot"');
      }
    });

    it('answers 413 to a body over 1 MB', async () => {
      const before = await count('project');
      const res = await post('project', { name: 'Big', description: 'x'.repeat(1024 * 1024) });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('HY_PAYLOAD_TOO_LARGE');
      await expectUnchanged('project', before);
    });

    it('answers a path Fastify refuses before routing (too long an id, a broken escape) in the { error } shape', async () => {
      for (const [url, status, message] of [
        [`/v1/entities/vacancy/${'x'.repeat(200)}`, 414, /is exceeding the max param length/],
        ['/v1/entities/vacancy/%E0%A4%A', 400, /is not a valid url component/],
      ] as const) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(status);
        // A 400 always lists its issues; this one names no field.
        expect(res.json(), url).toEqual({ error: { code: 'HY_BAD_REQUEST', message: expect.stringMatching(message), ...(status === 400 && { details: [] }) } });
      }
    });

    it('answers 400 to an unknown filter, a bad number filter, a bad limit and a bad cursor', async () => {
      const cases: Array<[string, string]> = [
        ['/v1/entities/vacancy?colour=red', 'query/colour is not a filter of vacancy'],
        ['/v1/entities/vacancy?fte=lots', 'query/fte must be a number'],
        ['/v1/entities/vacancy?limit=0', 'query/limit must be an integer from 1 to 500'],
        ['/v1/entities/vacancy?cursor=nonsense', 'query/cursor is not a cursor this API returned'],
        ['/v1/entities/vacancy?status=open&status=filled', 'query/status must be given once'],
      ];
      for (const [url, message] of cases) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.message).toContain(message);
      }
    });
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const collection = doc.paths['/v1/entities/{type}'];
    const typeParam = collection.get.parameters.find((p: Body) => p.name === 'type');
    expect(typeParam.schema).toEqual({ type: 'string', enum: ['employee', 'vacancy', 'contractor', 'project', 'assignment'] });
    const bodies = collection.post.requestBody.content['application/json'].schema.anyOf;
    expect(bodies.map((b: Body) => b.title)).toEqual(['Employee', 'Vacancy', 'Contractor', 'Project', 'Assignment']);
    expect(bodies[0].required).toEqual(['firstName', 'lastName', 'email']);
    expect(doc.paths['/v1/entities/{type}/{id}'].patch).toBeDefined();
    expect(doc.paths['/v1/custom-attributes/{id}'].delete).toBeDefined();
  });
});
