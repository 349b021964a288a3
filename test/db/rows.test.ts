import { describe, expect, it } from 'vitest';
import { camelRow } from '../../src/db/rows.ts';

describe('the one row-name convention', () => {
  it('renames snake_case columns to camelCase fields and leaves the values alone', () => {
    const createdAt = new Date('2026-04-01T09:00:00Z');
    const row = { id: 'x', organisation_id: 'o', scheme_version_year: '2025-26', file_sha256: 'ab', max_share: null, created_at: createdAt };
    const renamed = camelRow(row);
    expect(renamed).toEqual({ id: 'x', organisationId: 'o', schemeVersionYear: '2025-26', fileSha256: 'ab', maxShare: null, createdAt });
    expect(renamed.createdAt).toBe(createdAt);
  });
});
