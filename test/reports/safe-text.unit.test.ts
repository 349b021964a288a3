import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/reports/shared/csv.ts';
import { safeFilename } from '../../src/reports/shared/format.ts';
import { neutraliseFormula, xmlSafe } from '../../src/reports/shared/safe-text.ts';
import { textValue } from '../../src/reports/shared/xlsx.ts';
import { Decimal } from '../../src/shared/money.ts';

describe('neutralising text for spreadsheets', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTab', "'\tTab"],
    ['\rReturn', "'\rReturn"],
    ['\0nul', "'\0nul"],
    ['Plain text', 'Plain text'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j becomes %j', (text, expected) => {
    expect(neutraliseFormula(text)).toBe(expected);
  });

  it('quotes CSV cells that need it and leaves money numeric, negative or not', () => {
    expect(csvLine(['=1+1', 'a,b', 'say "hi"', '\rx', new Decimal('-15'), new Decimal('1234.5'), null])).toBe(`'=1+1,"a,b","say ""hi""","'\rx",-15.00,1234.50,\r\n`);
  });

  it('keeps xlsx text valid XML: control characters are replaced after neutralising', () => {
    expect(textValue('\0=1')).toBe("'\uFFFD=1");
    expect(textValue('-x')).toBe("'-x");
    expect(xmlSafe('ok\u0007bell\tTab\nline')).toBe('ok\uFFFDbell\tTab\nline');
    expect(textValue(null)).toBeNull();
  });

  it('builds file names from codes and dates only', () => {
    expect(safeFilename(['cabinet-table', 'E08000018', '2025-26', null], 'csv')).toBe('cabinet-table-E08000018-2025-26.csv');
    expect(safeFilename(['a"b', '../..', 'c\r\nd', 'é'], 'xl"sx')).toBe('a-b-c-d.xlsx');
  });
});
