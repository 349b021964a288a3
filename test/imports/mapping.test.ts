import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestOrganisation } from '../support/factories.ts';
import { csvOf, summaryOf, upload, workedExampleGrant } from './support.ts';

/**
 * A sheet whose headings Ringfence does not know, laid out with each heading on a row of its
 * own and subtotals with no label: the person maps the columns and the preview follows.
 */
const SHEET = csvOf([
  ['Item', 'Area', 'What it is', 'Money'],
  ['Transformation', null, null, null],
  ['1', null, 'Programme team', '100,000'],
  ['2', null, 'Secondments', '50,000'],
  [null, null, null, '150,000'],
  ['Service design', null, null, null],
  ['3', null, 'Needs analysis', '19,484'],
  [null, null, null, '19,000'],
  [null, null, 'Balance left to commit', '1,990,516'],
]);

describe('confirming or changing the column mapping', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  let importId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Mapping Council'));
  });
  afterAll(() => testApp?.close());

  it('says which fields it could not find', async () => {
    const preview = await upload(council.as.finance, grantId, 'commitments', { name: 'plan.csv', content: SHEET });
    expect(preview.status).toBe(201);
    importId = preview.body.id;
    expect(preview.body.mapping).toEqual({ A: 'ref' });
    expect(preview.body.detectedHeaders).toEqual([
      { column: 'A', header: 'Item', field: 'ref' },
      { column: 'B', header: 'Area', field: null },
      { column: 'C', header: 'What it is', field: null },
      { column: 'D', header: 'Money', field: null },
    ]);
    expect(preview.body.problems).toEqual([{ row: null, column: null, header: null, message: expect.stringMatching(/No column is mapped to the line title and the amount/) }]);
  });

  it('previews again under the mapping the person gives, with headings from their own rows', async () => {
    const revised = await council.as.finance.patch(`/api/v1/imports/${importId}`, { mapping: { C: 'title', D: 'amount', B: 'category' } });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body.mapping).toEqual({ A: 'ref', B: 'category', C: 'title', D: 'amount' });
    expect(revised.body.problems).toEqual([]);
    expect(revised.body.lines.map((line: any) => [line.ref, line.category, line.amount])).toEqual([
      ['1', 'transformation', '100000.00'],
      ['2', 'transformation', '50000.00'],
      ['3', 'family_voice', '19484.00'],
    ]);
    expect(revised.body.subtotalChecks.map((check: any) => [check.row, check.printed, check.computed, check.agrees])).toEqual([
      [5, '150000.00', '150000.00', true],
      [8, '19000.00', '19484.00', false],
    ]);
    expect(revised.body.notes).toContainEqual({ rows: [9], message: expect.stringMatching(/allocation or the balance are not lines/) });
  });

  it('moves a field from one column to another, and refuses a column or field that does not exist', async () => {
    const moved = await council.as.finance.patch(`/api/v1/imports/${importId}`, { mapping: { A: 'title' } });
    expect(moved.body.mapping).toEqual({ A: 'title', B: 'category', D: 'amount' });
    const bad = await council.as.finance.patch(`/api/v1/imports/${importId}`, { mapping: { Q: 'title', C: 'supplier' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { path: 'mapping.Q', message: 'is not a column of the sheet' },
      { path: 'mapping.C', message: expect.stringMatching(/must be one of the fields of a commitments import/) },
    ]);
    const assign = await council.as.finance.patch(`/api/v1/imports/${importId}`, { assignments: { '3': '00000000-0000-4000-8000-000000000000' } });
    expect(assign.body.errors).toEqual([{ path: 'assignments', message: 'apply only to a spend import' }]);
    const restored = await council.as.finance.patch(`/api/v1/imports/${importId}`, { mapping: { A: 'ref', C: 'title' } });
    expect(restored.body.willCreate).toEqual({ count: 3, total: '169484.00', tbc: 0 });
  });

  it('commits what the revised preview showed, and records who changed the mapping', async () => {
    const committed = await council.as.finance.post(`/api/v1/imports/${importId}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect((await summaryOf(council.as.reader, grantId)).committed).toBe('169484.00');
    const audit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=import&entityId=${importId}`);
    const updates = audit.body.items.filter((item: any) => item.action === 'update');
    expect(updates.length).toBeGreaterThanOrEqual(3);
    const late = await council.as.finance.patch(`/api/v1/imports/${importId}`, { headerRow: 1 });
    expect(late.status).toBe(409);
  });
});
