import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestOrganisation } from '../support/factories.ts';
import { csvOf, upload, workedExampleGrant } from './support.ts';

const POT = 'Pot B – the ring-fenced element agreed with partners for this year (see the cabinet report, section 4)';

/** A table whose columns and one section heading Ringfence cannot match by itself. */
const TABLE = csvOf([
  ['Proposals for cabinet'],
  ['Item', 'What it is', 'Money'],
  ['Transformation', null, null],
  ['1', 'Programme team', '100,000'],
  [POT, null, null],
  ['2', 'Parent panel', '(1,234)'],
  ['3', 'Needs analysis', 'to be confirmed'],
  [null, null, '98,766'],
]);

describe('the mapping step: headings to categories, columns to fields, remembered', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  let other: { council: TestOrganisation; grantId: string };
  let importId: string;
  let committedId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Mapping Step Council'));
    other = await workedExampleGrant(testApp, 'Neighbouring Council');
  });
  afterAll(() => testApp?.close());

  it('says which columns it could not read and what to do', async () => {
    const preview = await upload(council.as.finance, grantId, 'commitments', { name: 'plan.csv', content: TABLE });
    expect(preview.status).toBe(201);
    importId = preview.body.id;
    expect(preview.body.headerRow).toBe(2);
    expect(preview.body.mapping).toEqual({ A: 'ref' });
    expect(preview.body.problems).toEqual([{ row: null, column: null, header: null, message: expect.stringMatching(/No column is mapped to the line title and the amount/) }]);
  });

  it('maps the columns by their headings, and then names the heading it cannot match and the negative amount', async () => {
    const mapped = await council.as.finance.post(`/api/v1/imports/${importId}/mapping`, { columns: { 'What it is': 'title', money: 'amount' } });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    expect(mapped.body.mapping).toEqual({ A: 'ref', B: 'title', C: 'amount' });
    expect(mapped.body.headings).toEqual([
      { row: 3, text: 'Transformation', category: 'transformation' },
      { row: 5, text: POT, category: null },
    ]);
    expect(mapped.body.problems).toEqual([
      {
        row: 5,
        column: 'A',
        header: 'Item',
        message: expect.stringMatching(
          /^"Pot B – the ring-fenced element .*…" was read as a section heading, but it does not say which of this grant's categories .*Choose its category under "Section headings"/,
        ),
      },
      { row: 6, column: 'C', header: 'Money', message: expect.stringMatching(/^reads as minus 1234\.00 \(brackets or a minus sign\); a line's amount cannot be negative/) },
    ]);
    expect(mapped.body.canCommit).toBe(false);
  });

  it('refuses an unknown category, a row that is no heading, an unknown heading or field, naming each, and changes nothing', async () => {
    const before = await council.as.reader.get(`/api/v1/imports/${importId}`);
    const refused = await council.as.finance.post(`/api/v1/imports/${importId}/mapping`, {
      headings: { '5': 'capital_works', '4': 'family_voice' },
      columns: { Status: 'status', Money: 'supplier' },
    });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.errors).toEqual([
      { path: 'headings.4', message: 'is not a heading row of this import: a heading row holds its heading alone (the heading rows found are: 3, 5)' },
      { path: 'headings.5', message: expect.stringMatching(/^"capital_works" is not a category of this grant; use one of: transformation, /) },
      { path: 'columns.Status', message: 'is not a heading of the header row (row 2); its headings are: Item, What it is, Money' },
      { path: 'columns.Money', message: expect.stringMatching(/^must be one of the fields of a commitments import: ref, /) },
    ]);
    const unknownField = await council.as.finance.post(`/api/v1/imports/${importId}/mapping`, { columns: { Money: 'colour' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([{ path: 'columns.Money', message: expect.any(String) }]);
    const empty = await council.as.finance.post(`/api/v1/imports/${importId}/mapping`, {});
    expect(empty.status).toBe(400);
    const after = await council.as.reader.get(`/api/v1/imports/${importId}`);
    expect(after.body.updatedAt).toBe(before.body.updatedAt);
    expect(after.body.headings).toEqual(before.body.headings);
  });

  it('keeps the mapping to the council, and to finance', async () => {
    const stranger = await other.council.as.finance.post(`/api/v1/imports/${importId}/mapping`, { headings: { '5': 'family_voice' } });
    expect(stranger.status).toBe(404);
    const reader = await council.as.reader.post(`/api/v1/imports/${importId}/mapping`, { headings: { '5': 'family_voice' } });
    expect(reader.status).toBe(403);
    expect((await council.as.reader.get(`/api/v1/imports/${importId}`)).body.headings[1].category).toBeNull();
  });

  it('takes the category for the heading, previews its lines under it, and records the change', async () => {
    const mapped = await council.as.finance.post(`/api/v1/imports/${importId}/mapping`, { headings: { '5': 'family_voice' } });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    expect(mapped.body.headings[1]).toEqual({ row: 5, text: POT, category: 'family_voice' });
    expect(mapped.body.lines.map((line: any) => [line.ref, line.category])).toEqual([
      ['1', 'transformation'],
      ['3', 'family_voice'],
    ]);
    expect(mapped.body.problems.map((problem: any) => problem.row)).toEqual([6]);
    const audit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=import&entityId=${importId}`);
    const update = audit.body.items.find((item: any) => item.action === 'update' && item.after?.headingChoices);
    expect(update.after.headingChoices).toEqual({ '5': 'family_voice' });
    expect(update.after.remembered).toEqual([{ target: 'heading', text: POT, value: 'family_voice' }]);
  });

  it("applies the council's choices to its next file, and not to another council's", async () => {
    const next = TABLE.replace('(1,234)', '1,234').replace('98,766', '101,234');
    const again = await upload(council.as.finance, grantId, 'commitments', { name: 'plan-v2.csv', content: next });
    expect(again.status).toBe(201);
    expect(again.body.mapping).toEqual({ A: 'ref', B: 'title', C: 'amount' });
    expect(again.body.headings).toEqual([
      { row: 3, text: 'Transformation', category: 'transformation' },
      { row: 5, text: POT, category: 'family_voice' },
    ]);
    expect(again.body.problems).toEqual([]);
    expect(again.body.willCreate).toEqual({ count: 3, total: '101234.00', tbc: 1 });
    expect(again.body.subtotalChecks.map((check: any) => [check.row, check.agrees, check.scope])).toEqual([[8, true, 'all']]);
    committedId = again.body.id;
    const committed = await council.as.finance.post(`/api/v1/imports/${committedId}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);

    const elsewhere = await upload(other.council.as.finance, other.grantId, 'commitments', { name: 'plan.csv', content: next });
    expect(elsewhere.body.mapping).toEqual({ A: 'ref' });
    expect(elsewhere.body.headings).toEqual([]);
  });

  it('refuses to map an import already committed', async () => {
    const late = await council.as.finance.post(`/api/v1/imports/${committedId}/mapping`, { headings: { '5': 'transformation' } });
    expect(late.status).toBe(409);
  });
});
