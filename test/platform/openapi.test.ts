import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

type Response = { description?: string; headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string; oneOf?: { $ref: string }[] } }> };
type Operation = { operationId?: string; description?: string; tags?: string[]; responses: Record<string, Response>; requestBody?: { content: Record<string, unknown> } };

/** The contract tools read: every operation named, described, tagged, and its errors typed (npm run lint:api lints the rest). */
describe('the OpenAPI document', () => {
  let testApp: TestApp;
  let document: { tags: { name: string }[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
  let operations: { key: string; operation: Operation }[];

  beforeAll(async () => {
    testApp = await startTestApp();
    document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
    );
  });
  afterAll(() => testApp?.close());

  it('gives every operation a unique operationId, a description and a declared tag', () => {
    expect(operations.length).toBeGreaterThan(50);
    const declared = document.tags.map((tag) => tag.name);
    for (const { key, operation } of operations) {
      expect(operation.operationId, key).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(operation.description?.length ?? 0, key).toBeGreaterThan(20);
      expect(operation.tags?.length, key).toBeGreaterThan(0);
      for (const tag of operation.tags ?? []) expect(declared, key).toContain(tag);
    }
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents every error as application/problem+json naming its problem types, and every 422 lists them', () => {
    let unprocessable = 0;
    for (const { key, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${key} ${status}`).toEqual(['application/problem+json']);
        const schema = response.content!['application/problem+json']!.schema;
        const refs = schema.$ref ? [schema.$ref] : (schema.oneOf ?? []).map((one) => one.$ref);
        expect(refs.length, `${key} ${status}`).toBeGreaterThan(0);
        for (const ref of refs) {
          const id = ref.replace('#/components/schemas/', '');
          expect(id, `${key} ${status}`).toMatch(/Problem$/);
          expect(document.components.schemas[id]?.properties?.type, `${key} ${status} ${id}`).toMatchObject({ const: expect.stringMatching(/^\/problems\//) });
        }
        if (status === '422') unprocessable += 1;
      }
    }
    expect(unprocessable).toBeGreaterThan(10);
    expect(Object.keys(document.components.schemas.CapExceededProblem!.properties!)).toEqual(expect.arrayContaining(['category', 'maxShare', 'cap', 'headroom', 'attempted']));
    expect(Object.keys(document.components.schemas.OverAllocationProblem!.properties!)).toEqual(expect.arrayContaining(['allocation', 'spent', 'remaining', 'attempted']));
  });

  it('lists only the statuses an operation can give, with the headers it sends', () => {
    const statuses = (key: string) => {
      const [method, path] = key.split(' ') as [string, string];
      return Object.keys(document.paths[path]![method.toLowerCase()]!.responses);
    };
    // A reader's route: no body, no role to lack, no If-Match, no Idempotency-Key.
    expect(statuses('GET /api/v1/grants/{grantId}')).toEqual(['200', '400', '401', '404', '503']);
    expect(statuses('POST /api/v1/grants/{grantId}/commitments')).toEqual(['201', '400', '401', '403', '404', '409', '413', '415', '422', '503']);
    expect(statuses('PATCH /api/v1/commitments/{id}')).toContain('412');
    const create = document.paths['/api/v1/grants/{grantId}/commitments']!.post!;
    expect(Object.keys(create.responses['201']!.headers ?? {})).toContain('Idempotent-Replayed');
    expect(Object.keys(document.paths['/api/v1/commitments/{id}']!.get!.responses['200']!.headers ?? {})).toContain('ETag');
    expect(Object.keys(document.paths['/api/v1/grants/{grantId}/reports/cabinet-table']!.get!.responses['200']!.headers ?? {})).toContain('Content-Disposition');
    expect(Object.keys(document.paths['/api/v1/grants/{grantId}/imports']!.post!.requestBody!.content)).toEqual(['multipart/form-data']);
  });
});
