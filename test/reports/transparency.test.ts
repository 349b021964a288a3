import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { getRaw, parseCsv, tokenFor } from './support.ts';

const HEADER = ['Date', 'Expense area', 'Beneficiary', 'Purpose', 'Amount', 'Irrecoverable VAT', 'Merchant category', 'Transaction number'];

describe("the Transparency Code 'spending over £500' CSV", () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let token: string;
  let grantId: string;
  let nextYearGrantId: string;
  let bareEntryId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Transparent Borough Council');
    token = await tokenFor(council);
    grantId = (await createGrant(council, [{ amount: '1000000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    nextYearGrantId = (await createGrant(council, [{ amount: '1000000.00', description: 'Prevention Grant', status: 'confirmed' }], '2026-27')).id;
    const hub = await createLine(council.as.finance, grantId, { title: 'Kinship Virtual Hub', category: 'family_help_delivery', amount: '100000.00', serviceArea: 'Early Help' });
    const later = await createLine(council.as.finance, nextYearGrantId, { title: 'Family Help hubs', category: 'family_help_delivery', amount: '100000.00' });
    const spend = (lineId: string, body: Record<string, unknown>) => council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, body);
    const entries = [
      { amount: '499.99', spentOn: '2025-05-01', supplier: 'Below Threshold Ltd', reference: 'T-1' },
      {
        amount: '500.00',
        spentOn: '2025-05-02',
        supplier: 'Exactly Five Hundred Ltd',
        reference: 'T-2',
        expenseArea: "Children's Services",
        description: 'Venue hire',
        irrecoverableVat: '20.00',
        merchantCategory: 'Premises',
      },
      { amount: '12000.00', spentOn: '2025-07-15', supplier: 'Kinship Care Partners CIC', reference: 'T-3', description: 'Hub set-up, phase 1' },
      { amount: '750.00', spentOn: '2025-08-01', supplier: 'Jane Smith', reference: 'T-4', description: 'Foster carer allowance', paidToIndividual: true },
      { amount: '-600.00', spentOn: '2025-09-01', supplier: 'Kinship Care Partners CIC', reference: 'T-5', description: 'Credit note' },
    ];
    for (const entry of entries) expect((await spend(hub.id, entry)).status).toBe(201);
    const bare = await spend(hub.id, { amount: '1000.00', spentOn: '2026-03-31' });
    bareEntryId = bare.body.id;
    expect((await spend(later.id, { amount: '2500.00', spentOn: '2026-04-01', supplier: 'Next Year Ltd', reference: 'N-1' })).status).toBe(201);
  });
  afterAll(() => testApp?.close());

  it("lists the grant's entries of £500 or more in its year, in the Code's column order, individuals redacted", async () => {
    const response = await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/spending-over-500`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="spending-over-500-${council.code}-csc-prevention-2025-04-01-to-2026-03-31.csv"`);
    expect(parseCsv(response.text)).toEqual([
      HEADER,
      ['2025-05-02', "Children's Services", 'Exactly Five Hundred Ltd', 'Venue hire', '500.00', '20.00', 'Premises', 'T-2'],
      ['2025-07-15', 'Early Help', 'Kinship Care Partners CIC', 'Hub set-up, phase 1', '12000.00', '', '', 'T-3'],
      ['2025-08-01', 'Early Help', 'Redacted personal data', 'Foster carer allowance', '750.00', '', '', 'T-4'],
      ['2026-03-31', 'Early Help', '', 'Kinship Virtual Hub', '1000.00', '', '', bareEntryId],
    ]);
    expect(response.text).not.toContain('Jane Smith');
    expect(response.text.endsWith('\r\n')).toBe(true);
  });

  it('honours from and to, inclusive', async () => {
    const response = await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/spending-over-500?from=2025-07-01&to=2025-08-01`);
    expect(parseCsv(response.text).map((row) => row[7])).toEqual(['Transaction number', 'T-3', 'T-4']);
  });

  it('gives the whole organisation across its grants, given a range', async () => {
    const response = await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?from=2025-04-01&to=2027-03-31`);
    expect(response.status).toBe(200);
    expect(parseCsv(response.text).map((row) => row[7])).toEqual(['Transaction number', 'T-2', 'T-3', 'T-4', bareEntryId, 'N-1']);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="spending-over-500-${council.code}-2025-04-01-to-2027-03-31.csv"`);
  });

  it('refuses a range that ends before it starts, and an organisation-wide request without one', async () => {
    const backwards = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/spending-over-500?from=2025-09-01&to=2025-08-01`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([{ path: 'to', message: expect.any(String) }]);
    const open = await council.as.reader.get(`/api/v1/organisations/${council.id}/reports/spending-over-500`);
    expect(open.status).toBe(400);
    expect(open.body.errors.map((e: { path: string }) => e.path)).toEqual(['from', 'to']);
    const badDate = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/spending-over-500?from=2025-13-01`);
    expect(badDate.body.errors).toEqual([{ path: 'from', message: expect.any(String) }]);
  });
});
