import { describe, expect, it } from 'vitest';
import { readAmount } from '../../src/imports/interpret/amounts.ts';
import { categoryResolver } from '../../src/imports/interpret/categories.ts';
import { readCsv } from '../../src/imports/read/csv.ts';
import { readDate } from '../../src/imports/interpret/dates.ts';
import type { Cell } from '../../src/imports/read/grid.ts';
import { detectHeaders } from '../../src/imports/interpret/headers.ts';
import { readTotalLabel } from '../../src/imports/interpret/subtotals.ts';

const text = (v: string): Cell => ({ t: 's', v });
const number = (v: string): Cell => ({ t: 'n', v });
const amountOf = (cell: Cell) => {
  const reading = readAmount(cell);
  return reading.kind === 'amount' ? reading.amount.toFixed(2) : reading.kind;
};

describe('amounts as people type them', () => {
  it.each([
    ['£85,772', '85772.00'],
    ['85772.00', '85772.00'],
    ['85,772.5', '85772.50'],
    [' £ 1,250.00 ', '1250.00'],
    ['(1,200)', '-1200.00'],
    ['1,200-', '-1200.00'],
    ['-£1,200', '-1200.00'],
    ['£-1,200', '-1200.00'],
    ['£.50', '0.50'],
    ['GBP 300', '300.00'],
  ])('reads %j as %s', (typed, expected) => {
    expect(amountOf(text(typed))).toBe(expected);
  });

  it.each(['tbc', 'TBC', 't.b.c.', 'T.B.C', 'tba', 'to be confirmed'])('reads %j as tbc', (typed) => {
    expect(amountOf(text(typed))).toBe('tbc');
  });

  it.each(['12,34x', '1,2345', '85772.123', '£', '1e5', '--5', '12.3.4'])('refuses %j', (typed) => {
    expect(amountOf(text(typed))).toBe('invalid');
  });

  it('takes a number cell exactly when it has at most two decimals, and refuses one that does not', () => {
    expect(amountOf(number('85772.5'))).toBe('85772.50');
    expect(amountOf(number('0.30000000000000004'))).toBe('invalid');
    expect(amountOf(number('1e+21'))).toBe('invalid');
    expect(amountOf({ t: 'd', v: '2025-04-01' })).toBe('invalid');
  });

  it('takes a blank as blank, which a commitment reads as tbc', () => {
    expect(readAmount(null).kind).toBe('blank');
    expect(readAmount(text('  ')).kind).toBe('blank');
  });
});

describe('dates as ledgers write them', () => {
  it.each([
    ['2025-04-01', '2025-04-01'],
    ['2025-04-01T00:00:00', '2025-04-01'],
    ['01/04/2025', '2025-04-01'],
    ['1/4/25', '2025-04-01'],
    ['01.04.2025', '2025-04-01'],
    ['01-APR-2025', '2025-04-01'],
    ['1 April 2025', '2025-04-01'],
  ])('reads %j as %s', (typed, expected) => {
    expect(readDate(text(typed))).toEqual({ ok: true, iso: expected });
  });

  it.each(['31/02/2026', '2025-13-01', 'April', '45000', ''])('refuses %j', (typed) => {
    expect(readDate(text(typed)).ok).toBe(false);
  });
});

describe('headings and categories matched by name', () => {
  const resolver = categoryResolver([
    { code: 'transformation', name: 'Transformation', heading: 'transformation', headingLabel: 'Transformation activity' },
    { code: 'family_help_delivery', name: 'Direct delivery of Family Help', heading: 'service_delivery', headingLabel: 'Service delivery' },
    { code: 'practice_workforce_ict', name: 'Practice, workforce and ICT development', heading: 'service_delivery', headingLabel: 'Service delivery' },
    { code: 'family_voice', name: 'Children and family voice', heading: 'service_design', headingLabel: 'Service design' },
  ]);
  const categoryOf = (name: string) => {
    const match = resolver.resolve(name);
    return match.kind === 'category' || match.kind === 'heading' ? `${match.kind}:${match.category.code}` : match.kind;
  };

  it.each([
    ['Transformation', 'category:transformation'],
    ['transformation activity', 'category:transformation'],
    ['TRANSFORMATION ACTIVITY', 'category:transformation'],
    ['Service delivery', 'heading:family_help_delivery'],
    ['Family Help delivery', 'category:family_help_delivery'],
    ['Service design', 'category:family_voice'],
    ['Practice & workforce', 'category:practice_workforce_ict'],
    ['ICT', 'category:practice_workforce_ict'],
    ['family_voice', 'category:family_voice'],
    ['Family', 'ambiguous'],
    ['Service', 'ambiguous'],
    ['Capital works', 'none'],
  ])('matches %j as %s', (name, expected) => {
    expect(categoryOf(name)).toBe(expected);
  });

  const sectionOf = (text: string) => {
    const match = resolver.section(text);
    return match.kind === 'category' || match.kind === 'heading' ? `${match.kind}:${match.category.code}` : match.kind;
  };

  it.each([
    ['Transformation Funding (maximum of 30%) should be spent on activities to increase readiness for system change…', 'category:transformation'],
    ['Service Delivery (Practice, Workforce & ICT) funding to be used across the full breadth of preventative services…', 'heading:family_help_delivery'],
    ['Service Design and Children & Family Voice – needs analysis and co-production with children and families', 'category:family_voice'],
    ['Practice, workforce and ICT development: training, the practice model and data sharing', 'category:practice_workforce_ict'],
    ['Early Help and Family Help: the lines below are delivered by the council and its partners', 'category:family_help_delivery'],
    ['Funding to increase readiness for system change across the partnership', 'category:transformation'],
    ['Transformation', 'category:transformation'],
    ['Capital works for the new family hub building', 'none'],
  ])('matches the section heading %j as %s', (text, expected) => {
    expect(sectionOf(text)).toBe(expected);
  });
});

describe('header rows and totals', () => {
  it('finds the header under a title block and maps common headings', () => {
    const rows = [
      { row: 1, cells: [text('Spend by cost centre, 2025-26')] },
      { row: 3, cells: [text('GL Date'), text('Invoice No.'), text('Vendor Name'), text('Cost Center'), text('Narrative'), text('Value (£)')] },
    ];
    const detected = detectHeaders('spend', rows);
    expect(detected.headerIndex).toBe(1);
    expect(detected.mapping).toEqual({ A: 'date', B: 'reference', C: 'supplier', D: 'costCentre', E: 'description', F: 'amount' });
  });

  it('skips a title and a line of prose above the header, even when the prose names fields', () => {
    const rows = [
      { row: 1, cells: [text('Families First Partnership: commitments (cabinet, November 2025)')] },
      { row: 2, cells: [text('The table sets out each line, its amount in £ and its status; the amount column is the budget approved.')] },
      { row: 3, cells: [text('#'), text('Proposal'), text('Cost £')] },
    ];
    const detected = detectHeaders('commitments', rows);
    expect(detected.headerIndex).toBe(2);
    expect(detected.mapping).toEqual({ A: 'ref', B: 'title', C: 'amount' });
  });

  it('maps a heading the organisation matched before ahead of the synonyms', () => {
    const rows = [{ row: 1, cells: [text('Item'), text('What it is'), text('Money')] }];
    const remembered = (header: string) => ({ 'What it is': 'title', Money: 'amount' })[header] as 'title' | 'amount' | undefined;
    expect(detectHeaders('commitments', rows, remembered).mapping).toEqual({ A: 'ref', B: 'title', C: 'amount' });
    expect(detectHeaders('commitments', rows).mapping).toEqual({ A: 'ref' });
  });

  it.each([
    ['Sub-total', 'subtotal', ''],
    ['Subtotal transformation', 'subtotal', 'transformation'],
    ['Sub total: service design', 'subtotal', 'service design'],
    ['Total', 'total', ''],
    ['Grand total', 'total', ''],
    ['Total transformation', 'total', 'transformation'],
    ['Transformation subtotal', 'subtotal', 'Transformation'],
    ['Service delivery sub-total:', 'subtotal', 'Service delivery'],
  ])('reads %j as a %s', (label, kind, rest) => {
    expect(readTotalLabel(label)).toEqual({ kind, rest });
  });

  it.each(['Totally new service', 'Transformation total', 'Sub-totalling tool'])('does not take %j for a total', (label) => {
    expect(readTotalLabel(label)).toBeNull();
  });
});

describe('CSV files as exported', () => {
  it('reads Windows-1252 pound signs, semicolons and a byte-order mark', async () => {
    const windows = Buffer.from([...Buffer.from('Date;Amount\r\n01/04/2025;'), 0xa3, ...Buffer.from('12,50\r\n')]);
    const reading = await readCsv(windows);
    expect(reading.ok && reading.grid.rows[1]!.cells.map((cell) => cell?.v)).toEqual(['01/04/2025', '£12,50']);
    const bom = await readCsv(Buffer.from('\uFEFFA,B\r\n1,"two, with comma"\r\n'));
    expect(bom.ok && bom.grid.rows.map((row) => row.cells.map((cell) => cell?.v))).toEqual([
      ['A', 'B'],
      ['1', 'two, with comma'],
    ]);
  });

  // 40,000 rows parsed in a worker thread: well over the unit project's 5 s on a loaded two-core machine.
  it('parses off the main thread, so other requests are served meanwhile', { timeout: 60_000 }, async () => {
    // A large ledger export: 40,000 payments, a few megabytes.
    const lines = ['Date,Supplier,Reference,Amount,Description'];
    for (let i = 0; i < 40_000; i++) lines.push(`01/04/2025,Supplier ${i},INV-${i},${(i % 997) + 0.5},"Room hire, session ${i}"`);
    const bytes = Buffer.from(lines.join('\r\n'));
    let turnsOfTheLoop = 0;
    const ticker = setInterval(() => turnsOfTheLoop++, 1);
    try {
      const reading = await readCsv(bytes);
      expect(reading.ok && reading.grid.rows.length).toBe(40_001);
    } finally {
      clearInterval(ticker);
    }
    // Parsed in this thread, the whole file would be read before any timer could run.
    expect(turnsOfTheLoop).toBeGreaterThan(0);
  });

  it('numbers rows as Excel does, blank lines included', async () => {
    const reading = await readCsv(Buffer.from('A,B\n\n1,2\n'));
    expect(reading.ok && reading.grid.rows.map((row) => row.row)).toEqual([1, 3]);
  });
});
