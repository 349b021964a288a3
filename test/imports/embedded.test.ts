import { describe, expect, it } from 'vitest';
import { startEmbeddedApp } from '../support/embedded.ts';
import { csvOf, upload } from './support.ts';

/**
 * The zero-setup default runs imports too: PGlite has one connection, so a query on the pool
 * inside a transaction would hang; this previews, revises and commits end to end on it.
 * (Starting PGlite takes seconds on a busy machine, hence the longer limit.)
 */
// PGlite is PostgreSQL compiled to WebAssembly: starting and migrating it takes seconds alone and far
// longer on a loaded 2-core machine, so a whole journey on it gets minutes, not the default 30 s.
describe('imports on the embedded PGlite default', { timeout: 180_000 }, () => {
  it('previews, maps a cost centre, commits once and skips the payments on a second import', async () => {
    const { admin, close } = await startEmbeddedApp('ringfence-pglite-imports-');
    try {
      const organisation = await admin.post('/api/v1/organisations', { name: 'Embedded Council', code: 'E06000098' });
      const grant = await admin.post(`/api/v1/organisations/${organisation.body.id}/grants`, {
        scheme: 'csc-prevention',
        financialYear: '2025-26',
        tranches: [{ amount: '2210000.00', description: 'Allocation', status: 'confirmed' }],
      });
      const lines = await upload(admin, grant.body.id, 'commitments', {
        name: 'lines.csv',
        content: csvOf([
          ['Title', 'Heading', '£'],
          ['Hub', 'Service delivery', '85,772'],
        ]),
      });
      expect(lines.body.problems).toEqual([]);
      const created = await admin.post(`/api/v1/imports/${lines.body.id}/commit`);
      expect(created.status, JSON.stringify(created.body)).toBe(200);

      const ledger = csvOf([
        ['Date', 'Reference', 'Cost centre', 'Amount'],
        ['01/05/2025', 'AP-1', 'EH1', '100.00'],
      ]);
      const first = await upload(admin, grant.body.id, 'spend', { name: 'ap.csv', content: ledger });
      expect(first.body.unmatched).toHaveLength(1);
      await admin.post(`/api/v1/grants/${grant.body.id}/cost-centres`, { code: 'eh1', commitmentId: created.body.lines[0].id });
      const revised = await admin.patch(`/api/v1/imports/${first.body.id}`, { mapping: {} });
      expect(revised.body.canCommit).toBe(true);
      expect((await admin.post(`/api/v1/imports/${first.body.id}/commit`)).status).toBe(200);
      const second = await upload(admin, grant.body.id, 'spend', { name: 'ap.csv', content: ledger });
      expect(second.body.duplicates).toHaveLength(1);
      const summary = await admin.get(`/api/v1/grants/${grant.body.id}/summary`);
      expect(summary.body).toMatchObject({ committed: '85772.00', spent: '100.00' });
    } finally {
      await close();
    }
  }, 120_000);
});
