import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { csvOf, summaryOf, typedPounds, upload, workedExampleAsPrinted, workedExampleGrant, xlsxOf } from './support.ts';

/**
 * The worked example's committee table (docs/domain.md), typed the way the council printed it, with its two wrong
 * subtotals: the preview must say which printed figures disagree with their lines, and the
 * commit must bring in the 14 lines with the right totals.
 */
describe('importing the worked example as the council typed it', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp?.close());

  const variants = [
    {
      name: '.xlsx (numbers as numbers, the grand total a formula)',
      file: async () => ({
        name: 'commitments.xlsx',
        content: await xlsxOf(workedExampleAsPrinted((amount) => (amount === 1_619_758 ? { formula: 'SUBTOTAL(9,D4:D20)', result: amount } : amount))),
      }),
    },
    {
      name: '.csv (amounts typed as £85,772)',
      file: async () => ({ name: 'commitments.csv', content: csvOf(workedExampleAsPrinted((amount) => typedPounds(String(amount))) as string[][]) }),
    },
  ];

  for (const variant of variants) {
    describe(variant.name, () => {
      let grantId: string;
      let council: Awaited<ReturnType<typeof workedExampleGrant>>['council'];
      let preview: any;

      beforeAll(async () => {
        ({ council, grantId } = await workedExampleGrant(testApp, `Typed Council ${variant.name.slice(1, 5)}`));
        const response = await upload(council.as.finance, grantId, 'commitments', await variant.file());
        expect(response.status, JSON.stringify(response.body)).toBe(201);
        preview = response.body;
      });

      it('finds the header below the title and maps its columns', () => {
        expect(preview.headerRow).toBe(3);
        expect(preview.mapping).toEqual({ A: 'ref', B: 'heading', C: 'title', D: 'amount' });
        expect(preview.problems).toEqual([]);
        expect(preview.canCommit).toBe(true);
      });

      it('flags both wrong subtotals and agrees with the right ones', () => {
        expect(preview.subtotalChecks.map(({ row, label, printed, computed, agrees }: any) => ({ row, label, printed, computed, agrees }))).toEqual([
          { row: 6, label: 'Sub-total transformation', printed: '484667.00', computed: '485677.00', agrees: false },
          { row: 17, label: 'Subtotal service delivery', printed: '1093154.00', computed: '1093154.00', agrees: true },
          { row: 20, label: 'Sub-total service design', printed: '21443.00', computed: '40927.00', agrees: false },
          { row: 21, label: 'Total', printed: '1619758.00', computed: '1619758.00', agrees: true },
        ]);
      });

      it('will create 14 lines totalling £1,619,758.00 with one tbc, and says where service delivery lines go', () => {
        expect(preview.willCreate).toEqual({ count: 14, total: '1619758.00', tbc: 1 });
        expect(preview.lines.map((line: any) => line.ref)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14']);
        expect(preview.lines.find((line: any) => line.ref === '12')).toMatchObject({ amount: null, category: 'family_help_delivery', heading: 'service_delivery' });
        expect(preview.lines.find((line: any) => line.ref === '14')).toMatchObject({ amount: '21443.00', category: 'family_voice' });
        const note = preview.notes.find((n: any) => /Service delivery/.test(n.message));
        expect(note.message).toMatch(/covers several categories: these lines go into Direct delivery of Family Help/);
        expect(note.rows).toHaveLength(10);
      });

      it('writes nothing to the ledger until committed', async () => {
        const summary = await summaryOf(council.as.reader, grantId);
        expect(summary.committed).toBe('0.00');
        expect(summary.lines).toBe(0);
      });

      it('commits the 14 lines with the right totals, once', async () => {
        const committed = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
        expect(committed.status, JSON.stringify(committed.body)).toBe(200);
        expect(committed.body.created).toEqual({ count: 14, total: '1619758.00', tbc: 1 });
        const summary = await summaryOf(council.as.reader, grantId);
        expect(summary.committed).toBe('1619758.00');
        expect(summary.tbcLines).toBe(1);
        expect(summary.uncommitted).toBe('590242.00');
        const headings = Object.fromEntries(summary.headings.map((h: any) => [h.heading, h.committed]));
        expect(headings).toEqual({ transformation: '485677.00', service_delivery: '1093154.00', service_design: '40927.00' });

        const again = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
        expect(again.status).toBe(200);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.body.lines.map((line: any) => line.id)).toEqual(committed.body.lines.map((line: any) => line.id));
        expect((await summaryOf(council.as.reader, grantId)).lines).toBe(14);

        const shown = await council.as.reader.get(`/api/v1/imports/${preview.id}`);
        expect(shown.body).toMatchObject({ status: 'committed', result: { created: { count: 14 } } });
        const audit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=import&entityId=${preview.id}`);
        expect(audit.body.items.map((item: any) => item.action)).toEqual(expect.arrayContaining(['create', 'commit']));
      });
    });
  }
});
