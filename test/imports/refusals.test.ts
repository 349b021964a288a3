import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, startTestApp, type TestApp } from '../support/app.ts';
import { createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, lyingAboutSize, multipartBody, summaryOf, upload, workedExampleGrant, xlsxOf, zipBomb } from './support.ts';

/** Every refusal is a 4xx problem that names what is wrong and leaves the ledger as it was. */
describe('imports that must be refused', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Careful Council'));
  });
  afterAll(() => testApp?.close());

  const expectFileProblem = (response: ApiResponse, pattern: RegExp) => {
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.type).toMatch(/\/problems\/validation$/);
    expect(response.body.errors).toEqual([{ path: 'file', message: expect.stringMatching(pattern) }]);
  };

  it('imports nothing from a file with one bad row, and names its row and column', async () => {
    const file = csvOf([
      ['Ref', 'Category', 'Title', 'Amount'],
      ['1', 'Transformation', 'Programme manager', '£60,000'],
      ['2', 'Family Help delivery', 'Family Help navigators', '85,772.50'],
      ['3', 'Children and family voice', 'Young people’s panel', '12,34x'],
      ['4', 'ICT', 'Case system licences', 'tbc'],
    ]);
    const preview = await upload(council.as.finance, grantId, 'commitments', { name: 'lines.csv', content: file });
    expect(preview.status).toBe(201);
    expect(preview.body.problems).toEqual([{ row: 4, column: 'D', header: 'Amount', message: expect.stringMatching(/"12,34x" is not an amount/) }]);
    expect(preview.body.willCreate).toEqual({ count: 3, total: '145772.50', tbc: 1 });
    expect(preview.body.canCommit).toBe(false);

    const committed = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(committed.status).toBe(422);
    expect(committed.body.detail).toMatch(/^The import has 1 problem, so nothing was imported\. Row 4, column D \(Amount\): "12,34x" is not an amount/);
    expect(committed.body.problems).toEqual(preview.body.problems);
    expect((await summaryOf(council.as.reader, grantId)).lines).toBe(0);
  });

  it('refuses as a whole a file whose lines would break the transformation cap, with the reason', async () => {
    const file = csvOf([
      ['Heading', 'Line', 'Amount'],
      ['Service delivery', 'Family Help navigators', '100,000'],
      ['Transformation', 'Transformation team', '335,677'],
      ['Transformation', 'Secondments', '150,000'],
      ['Transformation', 'Consultancy', '300,000'],
    ]);
    const preview = await upload(council.as.finance, grantId, 'commitments', { name: 'too-much.csv', content: file });
    expect(preview.body.problems).toEqual([]);
    expect(preview.body.capChecks).toEqual([
      // 30% of the £2,083,000 base plus the £127,000 earmarked by 31/7969.
      { category: 'transformation', cap: '751900.00', exposureBefore: '0.00', exposureAfter: '785677.00', headroomAfter: '-33777.00', fits: false },
    ]);
    expect(preview.body.canCommit).toBe(false);

    const committed = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(committed.status).toBe(422);
    expect(committed.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/cap-exceeded$/),
      category: 'transformation',
      cap: '751900.00',
      headroom: '266223.00',
      attempted: '300000.00',
      row: 5,
    });
    expect(committed.body.detail).toMatch(/^Row 5 \(line "Consultancy"\): Transformation is capped at 30%.*Nothing was imported\.$/);
    const summary = await summaryOf(council.as.reader, grantId);
    expect([summary.lines, summary.committed]).toEqual([0, '0.00']);
    // The import says it failed, and why, as the commit did.
    const after = await council.as.reader.get(`/api/v1/imports/${preview.body.id}`);
    expect(after.body).toMatchObject({
      status: 'failed',
      progress: { done: 0, total: preview.body.willCreate.count },
      failure: { type: '/problems/cap-exceeded', category: 'transformation', row: 5 },
    });
    expect(after.body.failure.detail).toBe(committed.body.detail);
  });

  it('refuses a zip bomb from its directory, without inflating it', async () => {
    const bomb = await zipBomb(130 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expectFileProblem(await upload(council.as.finance, grantId, 'spend', { name: 'bomb.xlsx', content: bomb }), /expands to 130 MB.*it was not opened/);
    const dense = await zipBomb(20 * 1024 * 1024);
    expectFileProblem(await upload(council.as.finance, grantId, 'spend', { name: 'dense.xlsx', content: dense }), /compressed \d+ times over, as zip bombs are/);
  });

  it('refuses a zip that lies about its sizes when the worker inflates it', async () => {
    const liar = lyingAboutSize(await zipBomb(20 * 1024 * 1024), 64 * 1024);
    expectFileProblem(await upload(council.as.finance, grantId, 'spend', { name: 'liar.xlsx', content: liar }), /does not inflate to the size it declares/);
  });

  it('refuses corrupt, password-protected and unknown files', async () => {
    const workbook = await xlsxOf([['Date', 'Reference', 'Amount']]);
    expectFileProblem(await upload(council.as.finance, grantId, 'spend', { name: 'cut.xlsx', content: workbook.subarray(0, workbook.length - 100) }), /is damaged/);
    const scrambled = Buffer.from(workbook);
    scrambled.fill(0x41, 200, 1200);
    expectFileProblem(await upload(council.as.finance, grantId, 'spend', { name: 'scrambled.xlsx', content: scrambled }), /cannot be read as an Excel workbook|damaged/);
    const encrypted = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)]);
    expectFileProblem(await upload(council.as.finance, grantId, 'spend', { name: 'locked.xlsx', content: encrypted }), /password-protected/);
    expectFileProblem(
      await upload(council.as.finance, grantId, 'spend', { name: 'photo.xlsx', content: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0]) }),
      /not a CSV or an Excel workbook/,
    );
  });

  it('answers 413 for a file over 5 MB, and 400 naming the field for a missing file, kind or sheet', async () => {
    const big = await upload(council.as.finance, grantId, 'spend', { name: 'big.csv', content: Buffer.alloc(5 * 1024 * 1024 + 10, 'a') });
    expect(big.status).toBe(413);
    expect(big.body.type).toMatch(/\/problems\/payload-too-large$/);

    const noFile = multipartBody({ kind: 'spend' });
    const missing = await council.as.finance.post(`/api/v1/grants/${grantId}/imports`, noFile.body, { 'content-type': noFile.contentType });
    expect(missing.body.errors).toEqual([{ path: 'file', message: expect.stringMatching(/is missing/) }]);
    const badKind = await upload(council.as.finance, grantId, 'budgets', { name: 'x.csv', content: 'a,b\n1,2\n' });
    expect(badKind.body.errors).toEqual([{ path: 'kind', message: 'must be commitments or spend' }]);
    const json = await council.as.finance.post(`/api/v1/grants/${grantId}/imports`, { kind: 'spend' });
    expect(json.status).toBe(400);
    expect(json.body.errors[0].path).toBe('file');
    const noSheet = await upload(council.as.finance, grantId, 'spend', { name: 'x.xlsx', content: await xlsxOf([['Date']], 'Ledger') }, { sheet: 'Budget' });
    expect(noSheet.body.errors).toEqual([{ path: 'sheet', message: 'names no sheet of the workbook; its sheets are: Ledger' }]);
  });

  it('reads the chosen sheet of a workbook', async () => {
    const workbook = await xlsxOf(
      [
        ['Title', 'Category', 'Amount'],
        ['Chosen sheet line', 'ICT', 5],
      ],
      'Lines',
      ['Cover'],
    );
    // Unnamed, the sheet holding the table is found by its headings; named, that sheet is read.
    const found = await upload(council.as.finance, grantId, 'commitments', { name: 'book.xlsx', content: workbook });
    expect([found.body.sheet, found.body.willCreate.count]).toEqual(['Lines', 1]);
    const cover = await upload(council.as.finance, grantId, 'commitments', { name: 'book.xlsx', content: workbook }, { sheet: '1' });
    expect([cover.body.sheet, cover.body.willCreate.count]).toEqual(['Cover', 0]);
    const chosen = await upload(council.as.finance, grantId, 'commitments', { name: 'book.xlsx', content: workbook }, { sheet: 'lines' });
    expect([chosen.body.sheet, chosen.body.sheets, chosen.body.willCreate.count]).toEqual(['Lines', ['Cover', 'Lines'], 1]);
  });

  it('echoes formula-like text neutralised, and stores it as typed', async () => {
    const file = csvOf([
      ['Title', 'Category', 'Amount'],
      ['=HYPERLINK("http://example.com","x")', 'ICT', '10'],
    ]);
    const preview = await upload(council.as.finance, grantId, 'commitments', { name: 'formula.csv', content: file });
    expect(preview.body.lines[0].title).toBe('\'=HYPERLINK("http://example.com","x")');
  });

  it('keeps imports to their organisation, and commits only for finance', async () => {
    const preview = await upload(council.as.finance, grantId, 'commitments', {
      name: 'one.csv',
      content: csvOf([
        ['Title', 'Category', 'Amount'],
        ['One line', 'ICT', '1'],
      ]),
    });
    const stranger = await createOrganisation(testApp, 'Neighbouring Council');
    for (const response of [
      await stranger.as.finance.get(`/api/v1/imports/${preview.body.id}`),
      await stranger.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`),
      await stranger.as.finance.patch(`/api/v1/imports/${preview.body.id}`, { headerRow: 1 }),
      await upload(stranger.as.finance, grantId, 'commitments', { name: 'one.csv', content: 'Title\nx\n' }),
    ]) {
      expect(response.status).toBe(404);
    }
    expect((await council.as.reader.get(`/api/v1/imports/${preview.body.id}`)).status).toBe(200);
    const readerCommit = await council.as.reader.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(readerCommit.status).toBe(403);
    expect(readerCommit.body.type).toMatch(/\/problems\/forbidden$/);
    expect((await upload(council.as.reader, grantId, 'commitments', { name: 'one.csv', content: 'Title\nx\n' })).status).toBe(403);
    expect((await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`)).status).toBe(200);
  });
});
