import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPostgres } from '../../src/db/connect.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

describe('the HTTP surface', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp?.close());

  it('answers /health and /ready while the database answers', async () => {
    expect((await testApp.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await testApp.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it('serves an OpenAPI 3.1 document with the API routes, and the Swagger UI', async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/grants/{grantId}/commitments', '/api/v1/grants/{grantId}/summary', '/api/v1/commitments/{id}/spend']),
    );
    const create = document.paths['/api/v1/grants/{grantId}/commitments'].post;
    expect(create.requestBody.content['application/json'].schema).toBeDefined();
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '422']));
    const docs = await testApp.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });

  it('answers an unknown route with a problem, and echoes a request id', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/nowhere', headers: { 'x-request-id': 'abc-123' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['x-request-id']).toBe('abc-123');
    expect(response.json()).toMatchObject({ type: '/problems/not-found', status: 404, requestId: 'abc-123' });
  });

  it('answers 503 on /ready and for API calls while the database is unreachable, without leaking why', async () => {
    const unreachable = connectPostgres('postgres://postgres@127.0.0.1:1/nowhere');
    const app = await buildApp({ config: loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' }), database: unreachable });
    try {
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      const call = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer rf_anything' } });
      expect(call.statusCode).toBe(503);
      expect(call.json()).toMatchObject({ type: '/problems/unavailable', status: 503 });
      expect(call.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await unreachable.close();
    }
  });
});
