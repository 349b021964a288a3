import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_LINES } from '../../src/demo/worked-example.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { csvOf, summaryOf, typedPounds, upload, workedExampleGrant } from './support.ts';

/** The council's own section headings, as its cabinet table printed them above each group. */
const DESCRIPTIVE_HEADINGS = {
  transformation: 'Transformation Funding (maximum of 30%) should be spent on activities to increase readiness for system change, such as the programme team and partners’ time…',
  serviceDelivery:
    'Service Delivery (Practice, Workforce & ICT) funding to be used across the full breadth of preventative services, from Early Help to multi-agency child protection…',
  serviceDesign: 'Service Design and Children & Family Voice – understanding local need and designing services with partners, children and families',
} as const;

type Cell = string | number | null;

/**
 * The worked example's table (docs/domain.md) typed as printed: a title and a line of prose
 * above the header, each group under a long descriptive heading row, line 12 "tbc", and the
 * subtotals the council printed (484,667 and 21,443 wrong), either with labels in the title
 * column or as bare figures.
 */
function workedExampleWithSections(labelled: boolean, money: (amount: number) => Cell): Cell[][] {
  const rows: Cell[][] = [
    ['Families First Partnership: proposed use of the Children’s Social Care Prevention Grant (cabinet, November 2025)'],
    ['The table below sets out each proposal with its cost in £; the allocation for 2025-26 is £2,210,000.'],
    ['#', 'Proposal', 'Cost (£)'],
  ];
  const groups: [string, string[], string, number][] = [
    [DESCRIPTIVE_HEADINGS.transformation, ['1', '2'], 'Transformation subtotal', 484_667],
    [DESCRIPTIVE_HEADINGS.serviceDelivery, ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12'], 'Sub-total', 1_093_154],
    [DESCRIPTIVE_HEADINGS.serviceDesign, ['13', '14'], 'Sub-total', 21_443],
  ];
  for (const [heading, refs, label, subtotal] of groups) {
    rows.push([heading, null, null]);
    for (const ref of refs) {
      const line = WORKED_EXAMPLE_LINES.find((each) => each.ref === ref)!;
      rows.push([Number(ref), line.title, line.amount === null ? 'TBC' : money(Number(line.amount))]);
    }
    rows.push([null, labelled ? label : null, money(subtotal)]);
  }
  rows.push([null, labelled ? 'Total' : null, money(1_619_758)]);
  return rows;
}

/** As an .xlsx: each heading merged across the table, numbers as numbers, among other sheets. */
async function workbookOf(rows: Cell[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('Cover').addRow(['Cabinet report, appendix A']);
  const sheet = workbook.addWorksheet('Appendix A');
  for (const [index, row] of rows.entries()) {
    sheet.addRow(row);
    if (row.length === 3 && row[1] === null && row[2] === null && typeof row[0] === 'string' && index > 2) sheet.mergeCells(index + 1, 1, index + 1, 3);
  }
  workbook.addWorksheet('Notes').addRow(['Figures are as agreed by cabinet.']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('the worked example typed as printed, with descriptive section headings', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp?.close());

  const variants = [
    {
      name: 'unlabelled subtotals, .xlsx with merged headings on its second sheet',
      labelled: false,
      file: async () => ({ name: 'cabinet-appendix.xlsx', content: await workbookOf(workedExampleWithSections(false, (amount) => amount)) }),
      labels: ['Sub-total (unlabelled)', 'Sub-total (unlabelled)', 'Sub-total (unlabelled)', 'Sub-total (unlabelled)'],
    },
    {
      name: 'labelled subtotals, .csv with amounts typed as £85,772',
      labelled: true,
      file: async () => ({ name: 'cabinet-table.csv', content: csvOf(workedExampleWithSections(true, (amount) => typedPounds(String(amount)))) }),
      labels: ['Transformation subtotal', 'Sub-total', 'Sub-total', 'Total'],
    },
  ];

  for (const variant of variants) {
    describe(variant.name, () => {
      let grantId: string;
      let council: Awaited<ReturnType<typeof workedExampleGrant>>['council'];
      let preview: any;

      beforeAll(async () => {
        ({ council, grantId } = await workedExampleGrant(testApp, `Sections Council ${variant.labelled ? 'L' : 'U'}`));
        const response = await upload(council.as.finance, grantId, 'commitments', await variant.file());
        expect(response.status, JSON.stringify(response.body)).toBe(201);
        preview = response.body;
      });

      it('skips the title and the prose, finds the header, and reads the headings as headings matched to categories', () => {
        expect(preview.problems).toEqual([]);
        expect(preview.headerRow).toBe(3);
        expect(preview.mapping).toEqual({ A: 'ref', B: 'title', C: 'amount' });
        expect(preview.headings).toEqual([
          { row: 4, text: DESCRIPTIVE_HEADINGS.transformation, category: 'transformation' },
          { row: 8, text: DESCRIPTIVE_HEADINGS.serviceDelivery, category: 'family_help_delivery' },
          { row: 20, text: DESCRIPTIVE_HEADINGS.serviceDesign, category: 'family_voice' },
        ]);
        expect(preview.notes).toContainEqual({ rows: [1, 2], message: 'Rows above the header row (row 3) were taken for a title or notes, and not read.' });
        expect(preview.notes).toContainEqual({ rows: [4, 8, 20], message: expect.stringMatching(/read as section headings/) });
      });

      if (!variant.labelled) {
        it('chose the sheet holding the table, and says so', () => {
          expect(preview.sheet).toBe('Appendix A');
          expect(preview.notes).toContainEqual({ rows: [], message: expect.stringMatching(/^Read the sheet "Appendix A", which holds the table/) });
        });
      }

      it('previews 14 lines, one tbc, and flags the two wrong subtotals', () => {
        expect(preview.willCreate).toEqual({ count: 14, total: '1619758.00', tbc: 1 });
        expect(preview.lines.map((line: any) => line.ref)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14']);
        expect(preview.lines.map((line: any) => line.category)).toEqual([
          'transformation',
          'transformation',
          ...Array(10).fill('family_help_delivery'),
          'family_voice',
          'family_voice',
        ]);
        expect(preview.subtotalChecks.map(({ row, label, printed, computed, agrees }: any) => ({ row, label, printed, computed, agrees }))).toEqual([
          { row: 7, label: variant.labels[0], printed: '484667.00', computed: '485677.00', agrees: false },
          { row: 19, label: variant.labels[1], printed: '1093154.00', computed: '1093154.00', agrees: true },
          { row: 23, label: variant.labels[2], printed: '21443.00', computed: '40927.00', agrees: false },
          { row: 24, label: variant.labels[3], printed: '1619758.00', computed: '1619758.00', agrees: true },
        ]);
        expect(preview.canCommit).toBe(true);
      });

      it('commits the 14 lines and none of the headings or subtotals', async () => {
        const committed = await council.as.finance.post(`/api/v1/imports/${preview.id}/commit`);
        expect(committed.status, JSON.stringify(committed.body)).toBe(200);
        expect(committed.body.created).toEqual({ count: 14, total: '1619758.00', tbc: 1 });
        const summary = await summaryOf(council.as.reader, grantId);
        expect(summary.lines).toBe(14);
        expect(summary.committed).toBe('1619758.00');
        expect(Object.fromEntries(summary.headings.map((h: any) => [h.heading, h.committed]))).toEqual({
          transformation: '485677.00',
          service_delivery: '1093154.00',
          service_design: '40927.00',
        });
      });
    });
  }
});
