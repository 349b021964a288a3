import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineReport, routePath } from '../../src/reports/definition.ts';
import { REPORTS } from '../../src/reports/registry.ts';
import { safeFilename } from '../../src/reports/shared/format.ts';
import { apiAs, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { FormClient } from '../web/support/forms.ts';
import { withPassword } from '../web/support/web-app.ts';

/**
 * A new report is one definition: this one lives only here, and the app built with it serves
 * its API route, documents it in OpenAPI, applies its access rule and gives its page download,
 * with no other file touched.
 */
const lineCountReport = defineReport({
  id: 'line-count',
  path: 'reports/line-count',
  scope: 'grant',
  role: 'finance',
  tag: 'reports',
  summary: 'How many lines a grant has',
  returns: 'The count in the format asked for.',
  query: z.object({ format: z.enum(['json', 'csv']).default('json'), label: z.string().max(20).optional() }),
  load: async (request, query) => {
    const result = await sql<{ lines: string }>`SELECT count(*) AS lines FROM commitments WHERE grant_id = ${request.grantId}`.execute(request.db);
    return { grantId: request.grantId, lines: Number(result.rows[0]!.lines), label: query.label ?? null };
  },
  formats: {
    json: { schema: z.object({ grantId: z.uuid(), lines: z.number().int(), label: z.string().nullable() }).meta({ id: 'LineCount' }), write: (model) => model },
    csv: { write: (model) => `lines\r\n${model.lines}\r\n` },
  },
  fileName: (model, _query, format) => safeFilename(['line-count', model.label, String(model.lines)], format),
  page: {},
});

describe('the report registry', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let other: TestOrganisation;
  let grantId: string;
  let openapi: { paths: Record<string, Record<string, any>> };

  beforeAll(async () => {
    testApp = await startTestApp({ reports: [...REPORTS, lineCountReport] });
    council = await createOrganisation(testApp, 'Registry Council');
    other = await createOrganisation(testApp, 'Other Council');
    grantId = (await createGrant(council)).id;
    await createLine(council.as.finance, grantId, { title: 'Line', category: 'family_help_delivery', amount: '10.00' });
    openapi = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(() => testApp?.close());

  const openapiPath = (scope: 'grant' | 'organisation', path: string) => `/api/v1${routePath(scope, path).replace(/:(\w+)/g, '{$1}')}`;

  it('documents every registered report in OpenAPI, with each of its formats', () => {
    for (const report of [...REPORTS, lineCountReport]) {
      const operation = openapi.paths[openapiPath(report.scope, report.path)]?.get;
      expect(operation, report.id).toBeDefined();
      const mediaTypes = Object.keys(operation.responses['200'].content);
      expect(mediaTypes.length, report.id).toBe(Object.keys(report.formats).length);
      if (report.formats.json) expect(mediaTypes, report.id).toContain('application/json');
    }
    const added = openapi.paths['/api/v1/grants/{grantId}/reports/line-count']!.get;
    expect(added.summary).toBe('How many lines a grant has');
    expect(added.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['format', 'grantId', 'label']);
    expect(Object.keys(added.responses['200'].content)).toEqual(['application/json', 'text/csv']);
  });

  it('serves the new report in each format, with its file name and type', async () => {
    const json = await council.as.finance.get(`/api/v1/grants/${grantId}/reports/line-count`);
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ grantId, lines: 1, label: null });
    const csv = await council.as.finance.get(`/api/v1/grants/${grantId}/reports/line-count?format=csv&label=Q1`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="line-count-Q1-1.csv"');
    expect(csv.body).toBe('lines\r\n1\r\n');
    const badFormat = await council.as.finance.get(`/api/v1/grants/${grantId}/reports/line-count?format=docx`);
    expect(badFormat.status).toBe(400);
    expect(JSON.stringify(badFormat.body)).toContain('format');
  });

  it('applies its access rule: its role and above, not below, and never another organisation', async () => {
    const url = `/api/v1/grants/${grantId}/reports/line-count`;
    expect((await apiAs(testApp.app, null).get(url)).status).toBe(401);
    expect((await council.as.reader.get(url)).status).toBe(403);
    expect((await council.as.admin.get(url)).status).toBe(200);
    for (const role of ['reader', 'finance', 'admin'] as const) expect((await other.as[role].get(url)).status, role).toBe(404);
    expect((await apiAs(testApp.app, testApp.adminToken).get(url)).status).toBe(200);
  });

  it('gives its download on the pages, under the same rule', async () => {
    const finance = new FormClient(testApp.app);
    await finance.signIn(await withPassword(testApp, council, 'finance'));
    const download = await finance.get(`/grants/${grantId}/reports/line-count?format=csv&label=`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe('attachment; filename="line-count-1.csv"');
    const reader = new FormClient(testApp.app);
    await reader.signIn(await withPassword(testApp, council, 'reader'));
    expect((await reader.get(`/grants/${grantId}/reports/line-count?format=csv`)).statusCode).toBe(403);
  });

  it('is served only by the app it was registered with', async () => {
    const plain = await startTestApp();
    try {
      const document = (await plain.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      expect(Object.keys(document.paths)).not.toContain('/api/v1/grants/{grantId}/reports/line-count');
      for (const report of REPORTS) expect(Object.keys(document.paths), report.id).toContain(openapiPath(report.scope, report.path));
    } finally {
      await plain.close();
    }
  });
});
