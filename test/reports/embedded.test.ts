import { describe, expect, it } from 'vitest';
import { startEmbeddedApp } from '../support/embedded.ts';
import { readWorkbook } from './support.ts';

/** The zero-setup default runs on PGlite: every report, as-at and the kept forecast included, must work there too. */
// PGlite is PostgreSQL compiled to WebAssembly: starting and migrating it takes seconds alone and far
// longer on a loaded 2-core machine, so a whole journey on it gets minutes, not the default 30 s.
describe('reports on the embedded PGlite default', { timeout: 180_000 }, () => {
  it('serves the committee table, the DfE return (workbook included), the transparency CSV and as-at figures', async () => {
    const { app, admin, token, close } = await startEmbeddedApp('ringfence-reports-');
    try {
      const organisation = await admin.post('/api/v1/organisations', { name: 'Embedded Council', code: 'E06000098' });
      const grant = await admin.post(`/api/v1/organisations/${organisation.body.id}/grants`, {
        scheme: 'csc-prevention',
        financialYear: '2025-26',
        tranches: [{ amount: '2210000.00', description: 'Allocation', status: 'confirmed' }],
      });
      const base = `/api/v1/grants/${grant.body.id}`;
      const line = await admin.post(`${base}/commitments`, { title: 'Team', category: 'transformation', amount: '485677.00', committedOn: '2025-06-09' });
      await admin.post(`${base}/commitments`, { title: 'ICT', category: 'practice_workforce_ict', amount: null });
      expect((await admin.post(`/api/v1/commitments/${line.body.id}/spend`, { amount: '1000.00', spentOn: '2025-08-01', supplier: 'Agency' })).status).toBe(201);

      const table = await admin.get(`${base}/reports/cabinet-table`);
      expect(table.body).toMatchObject({ total: '485677.00', balance: '1724323.00', tbcLines: 1 });
      const dfe = await admin.get(`${base}/reports/dfe-return?quarter=Q2`);
      expect(dfe.body.total).toEqual({ committed: '485677.00', spentInQuarter: '1000.00', spentToDate: '1000.00', forecast: expect.any(Object) });
      const workbook = await app.inject({ method: 'GET', url: `${base}/reports/dfe-return?quarter=Q2&format=xlsx`, headers: { authorization: `Bearer ${token}` } });
      expect(workbook.statusCode).toBe(200);
      const sheets = await readWorkbook(workbook.rawPayload);
      expect(sheets.getWorksheet('Summary')!.getRow(6).getCell(3).value).toEqual({ formula: 'SUM(C3:C5)', result: 1000 });
      expect(sheets.getWorksheet('Spend')!.getRow(2).getCell(5).value).toBe(1000);
      const csv = await app.inject({ method: 'GET', url: `${base}/reports/spending-over-500`, headers: { authorization: `Bearer ${token}` } });
      expect(csv.body).toContain('2025-08-01,,Agency,Team,1000.00,,,');
      const today = dfe.body.preparedOn;
      const asAt = await admin.get(`${base}/summary?asAt=${today}`);
      expect(asAt.body).toMatchObject({ asAt: today, committed: '485677.00', spent: '1000.00' });
      // The forecast is made in a snapshot of its own, kept, and followed across a payment.
      const forecast = async () => (await admin.get(`${base}/forecast?on=2025-09-30`)).body;
      expect(await forecast()).toMatchObject({ actualToDate: '1000.00' });
      expect((await admin.post(`/api/v1/commitments/${line.body.id}/spend`, { amount: '250.00', spentOn: '2025-09-01' })).status).toBe(201);
      const followed = await forecast();
      expect(followed).toMatchObject({ actualToDate: '1250.00', forecastOutturn: '485677.00' });
      expect(followed.months.find((m: { month: string }) => m.month === '2025-09').actual).toBe('250.00');
    } finally {
      await close();
    }
  });
});
