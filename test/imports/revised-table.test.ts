import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_LINES } from '../../src/demo/worked-example.ts';
import { type ApiResponse, startTestApp, type TestApp } from '../support/app.ts';
import { createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, type Row, summaryOf, upload, workedExampleAsPrinted, workedExampleGrant } from './support.ts';

/** The worked example's 14 lines, entered by hand with their own categories (line 12 is ICT). */
async function workedExampleLines(council: TestOrganisation, grantId: string): Promise<Map<string, any>> {
  const lines = new Map<string, any>();
  for (const line of WORKED_EXAMPLE_LINES) {
    lines.set(line.ref, await createLine(council.as.finance, grantId, { ref: line.ref, title: line.title, category: line.category, amount: line.amount }));
  }
  return lines;
}

/**
 * The committee table as printed (docs/domain.md), revised next quarter: line 3 now £90,000,
 * line 13 now £25,000, and a new line 15 under service design. The printed subtotals are
 * left as they were: checked, not imported.
 */
function revisedWorkedExample(): Row[] {
  const rows = workedExampleAsPrinted((amount) => amount);
  for (const row of rows) {
    if (row[0] === 3) row[3] = 90_000;
    if (row[0] === 13) row[3] = 25_000;
  }
  const line14 = rows.findIndex((row) => row[0] === 14);
  rows.splice(line14 + 1, 0, [15, null, 'Parent carer forum', 6_000]);
  return rows;
}

const revisedFile = () => ({ name: 'cabinet-table-q3.csv', content: csvOf(revisedWorkedExample() as (string | number | null)[][]) });

function uploadRevision(council: TestOrganisation, grantId: string, file: { name: string; content: string }, extra: Record<string, string> = {}) {
  return upload(council.as.finance, grantId, 'commitments', file, { mode: 'update', ...extra });
}

function expectCreated(response: ApiResponse) {
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

describe('revised tables (mode=update)', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp?.close());

  describe('the worked example, revised with two changed amounts and one new line', () => {
    let council: TestOrganisation;
    let grantId: string;
    let lines: Map<string, any>;
    let preview: any;

    beforeAll(async () => {
      ({ council, grantId } = await workedExampleGrant(testApp, 'Revising Council'));
      lines = await workedExampleLines(council, grantId);
      preview = expectCreated(await uploadRevision(council, grantId, revisedFile()));
    });

    it('previews two amendments before → after, one new line, and the twelve lines it leaves as they are', () => {
      expect(preview.problems).toEqual([]);
      expect(preview.willUpdate).toEqual([
        {
          row: 7,
          commitmentId: lines.get('3').id,
          ref: '3',
          title: 'Early Help: a Kinship Virtual Hub',
          version: 1,
          changes: { amount: { before: '85772.00', after: '90000.00' } },
        },
        {
          row: 18,
          commitmentId: lines.get('13').id,
          ref: '13',
          title: 'Commissioning a joint Family Help needs analysis',
          version: 1,
          changes: { amount: { before: '19484.00', after: '25000.00' } },
        },
      ]);
      expect(preview.willCreate).toEqual({ count: 1, total: '6000.00', tbc: 0 });
      expect(preview.lines).toEqual([
        { row: 20, ref: '15', title: 'Parent carer forum', category: 'family_voice', heading: 'service_design', amount: '6000.00', status: 'proposed' },
      ]);
      // Line 12 sits under "Service delivery", which covers its ICT category: it is not moved.
      expect(preview.unchanged.map((line: any) => line.ref)).toEqual(['1', '2', '4', '5', '6', '7', '8', '9', '10', '11', '12', '14']);
      expect(preview.unchanged.find((line: any) => line.ref === '12')).toEqual({
        row: 16,
        commitmentId: lines.get('12').id,
        ref: '12',
        title: 'ICT: single-system information and data sharing',
        amount: null,
        version: 1,
      });
      expect(preview.willWithdraw).toEqual([]);
      expect(preview.canCommit).toBe(true);
    });

    it('commits them as two audited amendments, at version 2, and one new line', async () => {
      const committed = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
      expect(committed.status, JSON.stringify(committed.body)).toBe(200);
      expect(committed.body.updated).toEqual([
        { row: 7, id: lines.get('3').id, ref: '3', version: 2 },
        { row: 18, id: lines.get('13').id, ref: '13', version: 2 },
      ]);
      expect(committed.body.created).toEqual({ count: 1, total: '6000.00', tbc: 0 });
      expect(committed.body.lines).toEqual([{ row: 20, id: expect.any(String), ref: '15', amount: '6000.00' }]);
      expect(committed.body.withdrawn).toEqual([]);

      // £1,619,758 + £4,228 + £5,516 + £6,000.
      const summary = await summaryOf(council.as.reader, grantId);
      expect([summary.committed, summary.lines]).toEqual(['1635502.00', 15]);

      const line3 = await council.as.reader.get(`/api/v1/commitments/${lines.get('3').id}`);
      expect([line3.body.amount, line3.body.version, line3.headers.etag]).toEqual(['90000.00', 2, `"${lines.get('3').id}.2"`]);
      const line12 = await council.as.reader.get(`/api/v1/commitments/${lines.get('12').id}`);
      expect([line12.body.category, line12.body.version]).toEqual(['practice_workforce_ict', 1]);

      for (const [ref, before, after] of [
        ['3', '85772.00', '90000.00'],
        ['13', '19484.00', '25000.00'],
      ] as const) {
        const audit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=commitment&entityId=${lines.get(ref).id}`);
        const update = audit.body.items.filter((item: any) => item.action === 'update');
        expect(update).toHaveLength(1);
        expect(update[0]).toMatchObject({ before: { amount: before }, after: { amount: after } });
      }
      const unchangedAudit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=commitment&entityId=${lines.get('4').id}`);
      expect(unchangedAudit.body.items.map((item: any) => item.action)).toEqual(['create']);
      const importAudit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=import&entityId=${preview.id}`);
      expect(importAudit.body.items.find((item: any) => item.action === 'commit').after).toMatchObject({ updated: 2, withdrawn: 0, created: { count: 1 } });
      const verified = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`);
      expect(verified.body.ok).toBe(true);

      const again = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.updated).toEqual(committed.body.updated);
      expect((await summaryOf(council.as.reader, grantId)).lines).toBe(15);
    });

    it('previews the same file again as nothing to change', async () => {
      const again = expectCreated(await uploadRevision(council, grantId, revisedFile()));
      expect([again.willUpdate, again.willCreate.count, again.unchanged.length, again.canCommit]).toEqual([[], 0, 15, false]);
    });
  });

  it('refuses in create mode the rows that already exist, and suggests mode=update', async () => {
    const { council, grantId } = await workedExampleGrant(testApp, 'Creating Council');
    await workedExampleLines(council, grantId);
    const preview = expectCreated(await upload(council.as.finance, grantId, 'commitments', revisedFile()));
    expect(preview.problemCount).toBe(14);
    expect(preview.problems[0]).toEqual({
      row: 4,
      column: 'A',
      header: '#',
      message: 'line 1 already exists in this grant; to change existing lines, upload the file as a revised table (mode=update)',
    });
    expect([preview.willUpdate, preview.unchanged, preview.willWithdraw]).toEqual([[], [], []]);
  });

  describe('withdrawMissing', () => {
    let council: TestOrganisation;
    let grantId: string;
    let kept: any;
    let dropped: any;
    let spentOn: any;
    const file = () => ({
      name: 'lines.csv',
      content: csvOf([
        ['Line', 'Category', 'Amount'],
        ['  family HUBS ', 'Direct delivery of Family Help', '12,000'],
      ]),
    });

    beforeAll(async () => {
      ({ council, grantId } = await workedExampleGrant(testApp, 'Tidying Council'));
      kept = await createLine(council.as.finance, grantId, { title: 'Family hubs', category: 'family_help_delivery', amount: '10000.00' });
      dropped = await createLine(council.as.finance, grantId, { title: 'Old pilot', category: 'transformation', amount: '5000.00' });
    });

    it('withdraws nothing unless asked', async () => {
      const preview = expectCreated(await uploadRevision(council, grantId, file()));
      expect(preview.willWithdraw).toEqual([]);
      expect(preview.willUpdate).toEqual([
        { row: 2, commitmentId: kept.id, ref: '1', title: 'Family hubs', version: 1, changes: { amount: { before: '10000.00', after: '12000.00' } } },
      ]);
      // Previewed again (the header row confirmed), it is still a revised table.
      const again = await council.as.finance.patch(`/api/v1/imports/${preview.id}`, { headerRow: 1 });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect([again.body.willUpdate, again.body.willCreate.count]).toEqual([preview.willUpdate, 0]);
    });

    it('withdraws the lines the file leaves out, as an audited withdrawal', async () => {
      const preview = expectCreated(await uploadRevision(council, grantId, file(), { withdrawMissing: 'true' }));
      expect(preview.willWithdraw).toEqual([{ commitmentId: dropped.id, ref: '2', title: 'Old pilot', amount: '5000.00', version: 1 }]);
      expect(preview.canCommit).toBe(true);
      const committed = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
      expect(committed.status, JSON.stringify(committed.body)).toBe(200);
      expect(committed.body.withdrawn).toEqual([{ id: dropped.id, ref: '2', version: 2 }]);
      expect(committed.body.updated).toEqual([{ row: 2, id: kept.id, ref: '1', version: 2 }]);
      const line = await council.as.reader.get(`/api/v1/commitments/${dropped.id}`);
      expect([line.body.status, line.body.version]).toEqual(['withdrawn', 2]);
      const audit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=commitment&entityId=${dropped.id}`);
      expect(audit.body.items.map((item: any) => item.action)).toEqual(expect.arrayContaining(['create', 'withdraw']));
      expect((await summaryOf(council.as.reader, grantId)).committed).toBe('12000.00');
    });

    it('refuses to withdraw a line with spend, naming it, and writes nothing', async () => {
      spentOn = await createLine(council.as.finance, grantId, { title: 'Mentoring', category: 'family_voice', amount: '800.00' });
      const spend = await council.as.finance.post(`/api/v1/commitments/${spentOn.id}/spend`, { amount: '120.00', spentOn: '2025-06-30' });
      expect(spend.status, JSON.stringify(spend.body)).toBe(201);
      const preview = expectCreated(await uploadRevision(council, grantId, file(), { withdrawMissing: 'true' }));
      expect(preview.problems).toEqual([
        { row: null, column: null, header: null, message: expect.stringMatching(/^Line 3 \("Mentoring"\) is not in the file, but £120\.00 has been spent/) },
      ]);
      expect(preview.canCommit).toBe(false);
      const refused = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
      expect(refused.status).toBe(422);
      expect((await council.as.reader.get(`/api/v1/commitments/${spentOn.id}`)).body.status).toBe('proposed');
    });
  });

  it('refuses with 412, naming the line, when a line changed after the preview, and writes nothing', async () => {
    const { council, grantId } = await workedExampleGrant(testApp, 'Busy Council');
    const lines = await workedExampleLines(council, grantId);
    const preview = expectCreated(await uploadRevision(council, grantId, revisedFile()));
    expect(preview.canCommit).toBe(true);

    const line3 = lines.get('3');
    const edited = await council.as.finance.patch(`/api/v1/commitments/${line3.id}`, { notes: 'Agreed at cabinet' }, { 'if-match': `"${line3.id}.1"` });
    expect(edited.status).toBe(200);

    const refused = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
    expect(refused.status, JSON.stringify(refused.body)).toBe(412);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/precondition-failed$/),
      commitmentId: line3.id,
      ref: '3',
      row: 7,
      previewedVersion: 1,
      currentVersion: 2,
      currentEtag: `"${line3.id}.2"`,
    });
    expect(refused.body.detail).toMatch(/^Line 3 \(row 7\) has changed \(version 1 then, 2 now\) since the preview, so nothing was imported\./);

    const summary = await summaryOf(council.as.reader, grantId);
    expect([summary.committed, summary.lines]).toEqual(['1619758.00', 14]);
    expect((await council.as.reader.get(`/api/v1/commitments/${lines.get('13').id}`)).body).toMatchObject({ amount: '19484.00', version: 1 });
    // A refused commit leaves the import failed with its reasons (nothing written); previewing it again makes it ready.
    const afterRefusal = (await council.as.reader.get(`/api/v1/imports/${preview.id}`)).body;
    expect(afterRefusal.status).toBe('failed');
    expect(afterRefusal.failure).toMatchObject({ commitmentId: line3.id, currentVersion: 2 });

    // An unchanged line counts too: the file was read against it as it stood.
    const again = expectCreated(await uploadRevision(council, grantId, revisedFile()));
    const line4 = lines.get('4');
    expect((await council.as.finance.patch(`/api/v1/commitments/${line4.id}`, { status: 'approved' })).status).toBe(200);
    const refusedAgain = await council.as.finance.post(`/api/v1/imports/${again.id}/commit`);
    expect(refusedAgain.status).toBe(412);
    expect(refusedAgain.body).toMatchObject({ ref: '4', row: 8 });
    expect((await summaryOf(council.as.reader, grantId)).lines).toBe(14);
  });

  it('applies an amendment that frees room under the cap before one that takes it, and refuses a revision that breaks the cap', async () => {
    const { council, grantId } = await workedExampleGrant(testApp, 'Capped Council');
    const lines = await workedExampleLines(council, grantId);
    // Transformation holds £485,677 of its £751,900 cap. Line 2 first takes £300,000 more, line 1 then gives back £100,000.
    const moved = csvOf([
      ['Ref', 'Title', 'Category', 'Amount'],
      ['2', 'Secondments from partner organisations', 'Transformation', '450,000'],
      ['1', WORKED_EXAMPLE_LINES[0]!.title, 'Transformation', '235,677'],
    ]);
    const preview = expectCreated(await uploadRevision(council, grantId, { name: 'moved.csv', content: moved }));
    expect(preview.capChecks).toEqual([
      { category: 'transformation', cap: '751900.00', exposureBefore: '485677.00', exposureAfter: '685677.00', headroomAfter: '66223.00', fits: true },
    ]);
    const committed = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.updated.map((line: any) => line.ref)).toEqual(['2', '1']);

    const tooMuch = csvOf([
      ['Ref', 'Title', 'Category', 'Amount'],
      ['2', 'Secondments from partner organisations', 'Transformation', '516,224'],
    ]);
    const over = expectCreated(await uploadRevision(council, grantId, { name: 'over.csv', content: tooMuch }));
    expect(over.capChecks[0]).toMatchObject({ exposureAfter: '751901.00', fits: false });
    expect(over.canCommit).toBe(false);
    const refused = await council.as.finance.post(`/api/v1/imports/${over.id}/commit`);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/\/problems\/cap-exceeded$/), category: 'transformation', row: 2 });
    expect(refused.body.detail).toMatch(/^Row 2 \(line 2\): .*Nothing was imported\.$/);
    expect((await council.as.reader.get(`/api/v1/commitments/${lines.get('2').id}`)).body).toMatchObject({ amount: '450000.00', version: 2 });
  });

  it('names the row whose title matches several lines, and a row that repeats a line', async () => {
    const { council, grantId } = await workedExampleGrant(testApp, 'Repeating Council');
    await createLine(council.as.finance, grantId, { title: 'Outreach', category: 'family_voice', amount: '100.00' });
    await createLine(council.as.finance, grantId, { title: 'outreach', category: 'family_help_delivery', amount: '200.00' });
    const hubs = await createLine(council.as.finance, grantId, { title: 'Hubs', category: 'family_voice', amount: '300.00' });
    const withdrawn = await createLine(council.as.finance, grantId, { title: 'Gone', category: 'family_voice', amount: '1.00' });
    expect((await council.as.finance.post(`/api/v1/commitments/${withdrawn.id}/withdraw`)).status).toBe(200);
    const file = csvOf([
      ['Ref', 'Title', 'Category', 'Amount'],
      ['', 'OUTREACH', 'Children and family voice', '150'],
      ['', 'Hubs', 'Children and family voice', '300'],
      ['3', 'Hubs again', 'Children and family voice', '300'],
      ['4', 'Gone', 'Children and family voice', '1'],
    ]);
    const preview = expectCreated(await uploadRevision(council, grantId, { name: 'repeats.csv', content: file }));
    expect(preview.problems).toEqual([
      { row: 2, column: 'B', header: 'Title', message: 'matches 2 lines of this grant (1, 2); add a ref column saying which line this row is' },
      { row: 4, column: 'A', header: 'Ref', message: 'is line 3, as row 3 is; a revised table lists each line once' },
      { row: 5, column: 'A', header: 'Ref', message: expect.stringMatching(/^line 4 is withdrawn and cannot be changed/) },
    ]);
    expect(preview.unchanged).toEqual([{ row: 3, commitmentId: hubs.id, ref: '3', title: 'Hubs', amount: '300.00', version: 1 }]);
    const refused = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
    expect(refused.status).toBe(422);
    expect(refused.body.problems).toEqual(preview.problems);
  });

  it('says that the status and other columns apply only to new lines, and leaves them on the lines it amends', async () => {
    const { council, grantId } = await workedExampleGrant(testApp, 'Approving Council');
    const line = await createLine(council.as.finance, grantId, { title: 'Outreach', category: 'family_voice', amount: '100.00' });
    const file = csvOf([
      ['Ref', 'Title', 'Category', 'Amount', 'Status'],
      ['1', 'Outreach', 'Children and family voice', '120', 'Approved'],
      ['', 'Advocacy', 'Children and family voice', '80', 'Approved'],
    ]);
    const preview = expectCreated(await uploadRevision(council, grantId, { name: 'status.csv', content: file }));
    expect(preview.notes).toContainEqual({
      rows: [],
      message: 'A revised table changes the amount, title and category of the lines it matches; its other columns (status) are read for new lines only.',
    });
    const committed = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect((await council.as.reader.get(`/api/v1/commitments/${line.id}`)).body).toMatchObject({ amount: '120.00', status: 'proposed' });
    expect((await council.as.reader.get(`/api/v1/commitments/${committed.body.lines[0].id}`)).body).toMatchObject({ title: 'Advocacy', status: 'approved' });
  });

  describe('the new fields: bad values, other councils and readers', () => {
    let council: TestOrganisation;
    let grantId: string;
    const file = {
      name: 'one.csv',
      content: csvOf([
        ['Title', 'Category', 'Amount'],
        ['One line', 'ICT', '1'],
      ]),
    };

    beforeAll(async () => {
      ({ council, grantId } = await workedExampleGrant(testApp, 'Strict Council'));
    });

    it('answers 400 naming mode or withdrawMissing for a value they do not take', async () => {
      const cases: [string, Record<string, string>, { path: string; message: string }][] = [
        ['commitments', { mode: 'upsert' }, { path: 'mode', message: 'must be create or update' }],
        ['commitments', { mode: 'update', withdrawMissing: 'yes' }, { path: 'withdrawMissing', message: 'must be true or false' }],
        ['commitments', { withdrawMissing: 'true' }, { path: 'withdrawMissing', message: 'applies only to a revised table (mode=update)' }],
        ['spend', { mode: 'update' }, { path: 'mode', message: 'update applies only to a commitments import' }],
      ];
      for (const [kind, fields, error] of cases) {
        const refused = await upload(council.as.finance, grantId, kind, file, fields);
        expect(refused.status, JSON.stringify(fields)).toBe(400);
        expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(refused.body.errors).toEqual([error]);
      }
      const fine = await upload(council.as.finance, grantId, 'commitments', file, { mode: 'create', withdrawMissing: 'false' });
      expect(fine.status).toBe(201);
    });

    it('hides a revision from another council (404) and lets a reader neither upload nor commit one (403)', async () => {
      const line = await createLine(council.as.finance, grantId, { title: 'One line', category: 'practice_workforce_ict', amount: '1.00' });
      const preview = expectCreated(
        await uploadRevision(council, grantId, {
          ...file,
          content: csvOf([
            ['Title', 'Category', 'Amount'],
            ['One line', 'ICT', '2'],
          ]),
        }),
      );
      expect(preview.willUpdate).toHaveLength(1);
      const stranger = await createOrganisation(testApp, 'Nosy Council');
      expect((await upload(stranger.as.finance, grantId, 'commitments', file, { mode: 'update', withdrawMissing: 'true' })).status).toBe(404);
      expect((await stranger.as.finance.post(`/api/v1/imports/${preview.id}/commit`)).status).toBe(404);
      expect((await stranger.as.finance.get(`/api/v1/imports/${preview.id}`)).status).toBe(404);
      expect((await upload(council.as.reader, grantId, 'commitments', file, { mode: 'update' })).status).toBe(403);
      const readerCommit = await council.as.reader.post(`/api/v1/imports/${preview.id}/commit`);
      expect(readerCommit.status).toBe(403);
      expect((await council.as.reader.get(`/api/v1/commitments/${line.id}`)).body).toMatchObject({ amount: '1.00', version: 1 });
      expect((await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`)).status).toBe(200);
      expect((await council.as.reader.get(`/api/v1/commitments/${line.id}`)).body).toMatchObject({ amount: '2.00', version: 2 });
    });
  });
});
