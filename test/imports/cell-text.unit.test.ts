import { describe, expect, it } from 'vitest';
import { wholeCellText } from '../../src/imports/read/cell-text.mjs';

describe("a cell's text as the reading workers keep it (src/imports/read/cell-text.mjs)", () => {
  it('cuts at the limit without leaving half of an emoji', () => {
    const text = `${'a'.repeat(3_999)}😀 and more`;
    const kept = wholeCellText(text, 4_000);
    expect(kept).toBe(`${'a'.repeat(3_999)}\uFFFD`);
    expect(kept).not.toMatch(/[\uD800-\uDFFF]/);
  });

  it('makes each half of a pair left alone U+FFFD and keeps whole pairs', () => {
    expect(wholeCellText('a\uD800b\uDC00c😀', 100)).toBe('a\uFFFDb\uFFFDc😀');
    expect(wholeCellText('\uDC00\uD800', 100)).toBe('\uFFFD\uFFFD');
    expect(wholeCellText('plain text', 100)).toBe('plain text');
  });
});
