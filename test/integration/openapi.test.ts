/**
 * /openapi.json describes the API exactly: a valid OpenAPI 3 document, every
 * operation with a summary, a description, a tag, its real success status and the
 * `{ error }` answers it can give. That the real answers match these schemas is
 * checked on every call of every suite (test/helpers/response-check.ts); the last
 * test shows that check failing loudly.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { Type } from '@sinclair/typebox';
import fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createResponseCheck } from '../helpers/response-check.js';
import { ENGINES } from '../helpers/stores.js';

type Operation = { summary?: string; description?: string; tags?: string[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> }; info: { title: string }; tags: Array<{ name: string }> };

  beforeAll(async () => {
    t = await createTestApp(ENGINES[0]!);
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(async () => t?.dispose());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, method, path, op })));

  it('is a valid OpenAPI document', async () => {
    const problems = await SwaggerParser.validate(structuredClone(doc) as never).then(
      () => [],
      (error: { details?: Array<{ instancePath: string; message: string }>; message: string }) =>
        (error.details ?? [{ instancePath: '', message: error.message }]).slice(0, 5).map((d) => `${d.instancePath}: ${d.message}`),
    );
    expect(problems).toEqual([]);
    expect(doc.info.title).toBe('Hookyard API');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('gives every operation a summary, a description, a known tag and its error answers', () => {
    const tags = new Set(doc.tags.map((tag) => tag.name));
    expect(operations().length).toBeGreaterThanOrEqual(32);
    for (const { name, op } of operations()) {
      expect(op.summary, name).toBeTruthy();
      expect(op.description, name).toBeTruthy();
      expect(op.tags?.length, name).toBe(1);
      expect(tags.has(op.tags![0]!), name).toBe(true);
      expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(['400', '401', '500']));
      for (const [status, answer] of Object.entries(op.responses)) {
        if (status === '204' || status === 'default') continue;
        // The live progress stream is the one answer that is not JSON.
        const media = name === 'GET /v1/executions/{id}/events' && status === '200' ? 'text/event-stream' : 'application/json';
        expect(answer.content?.[media]?.schema, `${name} ${status}`).toBeDefined();
      }
    }
  });

  it('documents the real success statuses', () => {
    const success = Object.fromEntries(operations().map(({ name, op }) => [name, Object.keys(op.responses).filter((s) => s.startsWith('2'))]));
    for (const [name, statuses] of Object.entries(success)) {
      if (name.startsWith('POST') && !name.endsWith('/run') && !name.endsWith('/retry') && !name.endsWith('/test')) expect(statuses, name).toEqual(['201']);
      if (name.startsWith('DELETE')) expect(statuses, name).toEqual(['204']);
      if (name.startsWith('GET') || name.startsWith('PATCH')) expect(statuses, name).toEqual(['200']);
    }
    expect(success['POST /v1/hooks/{id}/run']).toEqual(['202']);
    expect(success['POST /v1/executions/{id}/retry']).toEqual(['202']);
    expect(success['POST /v1/hooks/{id}/test']).toEqual(['200']);
    expect(success['PUT /v1/integrations/{id}/secrets/{name}']).toEqual(['200', '201']);
  });

  it('shows request examples and the product title in /docs', async () => {
    const created = doc.paths['/v1/integrations']!.post! as unknown as { requestBody: { content: Record<string, { examples?: object; example?: object }> } };
    const media = created.requestBody.content['application/json']!;
    expect(media.examples ?? media.example).toBeDefined();
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.body).toContain('<title>Hookyard API</title>');
    expect(page.body).not.toContain('<title>Swagger UI</title>');
  });

  it('fails loudly when an answer does not match its documented schema', async () => {
    const check = createResponseCheck();
    const app = fastify();
    app.addHook('onSend', check.onSend);
    // As the real app does: schemas document answers, they do not reshape them.
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    app.get('/thing', { schema: { response: { 200: Type.Object({ id: Type.String() }, { additionalProperties: false }) } } }, async () => ({ id: 1, extra: true }));
    app.get('/undocumented', { schema: { response: { 200: Type.Object({}) } } }, async (_request, reply) => reply.code(201 as 200).send({}));
    const wrong = await app.inject({ method: 'GET', url: '/thing' });
    const undocumented = await app.inject({ method: 'GET', url: '/undocumented' });
    await app.close();
    expect(wrong.statusCode).toBe(500);
    expect(wrong.json().error.message).toMatch(/does not match the documented schema/);
    expect(undocumented.statusCode).toBe(500);
    expect(check.mismatches).toHaveLength(2);
    expect(check.mismatches[1]).toMatch(/status 201 is not documented/);
  });
});
