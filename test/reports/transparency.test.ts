import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { getRaw, parseCsv, tokenFor } from './support.ts';

/** The Code's mandatory columns, then the LGA layout's beside them (docs/domain.md), in that order. */
const HEADER = [
  'Date',
  'Expense area',
  'Beneficiary',
  'Purpose',
  'Amount',
  'Irrecoverable VAT',
  'Merchant category',
  'Body name',
  'Organisation code',
  'Transaction number',
  'Supplier ID',
  'Expenditure code',
  'Card transaction',
];
const TRANSACTION = HEADER.indexOf('Transaction number');

/** A second scheme, so one council holds two grants in the same year. */
const SECOND_SCHEME = {
  code: 'transparency-second-scheme',
  name: 'Holiday Activities and Food programme',
  versions: [
    {
      financialYear: '2025-26',
      headings: [{ code: 'provision', label: 'Holiday provision' }],
      categories: [{ code: 'places', name: 'Places', heading: 'provision', plannedShare: '1.0000', maxShare: null }],
      determinations: [{ ref: '31/9998', title: 'Holiday Activities and Food 2025-26', purpose: 'base' }],
    },
  ],
};

describe("the Transparency Code 'spending over £500' CSV", () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let outsider: TestOrganisation;
  let token: string;
  let grantId: string;
  let secondGrantId: string;
  let bareEntryId: string;
  let hubId: string;
  const body = () => [council.name, council.code];

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Transparent Borough Council');
    outsider = await createOrganisation(testApp, 'Other Council');
    token = await tokenFor(council);
    grantId = (await createGrant(council, [{ amount: '1000000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    const nextYearGrantId = (await createGrant(council, [{ amount: '1000000.00', description: 'Prevention Grant', status: 'confirmed' }], '2026-27')).id;
    expect((await apiAs(testApp.app, testApp.adminToken).post('/api/v1/schemes', SECOND_SCHEME)).status).toBe(201);
    const second = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, {
      scheme: SECOND_SCHEME.code,
      financialYear: '2025-26',
      tranches: [{ amount: '50000.00', description: 'HAF allocation', status: 'confirmed' }],
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    secondGrantId = second.body.id;

    const hub = await createLine(council.as.finance, grantId, { title: 'Kinship Virtual Hub', category: 'family_help_delivery', amount: '100000.00', serviceArea: 'Early Help' });
    hubId = hub.id;
    const later = await createLine(council.as.finance, nextYearGrantId, { title: 'Family Help hubs', category: 'family_help_delivery', amount: '100000.00' });
    const clubs = await createLine(council.as.finance, secondGrantId, { title: 'Summer clubs', category: 'places', amount: '20000.00', serviceArea: 'Youth' });
    const spend = (lineId: string, entry: Record<string, unknown>) => council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, entry);
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
        supplierId: 'S-100',
        expenditureCode: '4210',
        cardTransaction: true,
      },
      // Salaries and payments to HMRC and pension funds, each £500 or more and in Q1: never published.
      { amount: '5000.00', spentOn: '2025-05-28', supplier: 'May payroll', reference: 'P-1', kind: 'payroll' },
      { amount: '1500.00', spentOn: '2025-06-19', supplier: 'HM Revenue & Customs', reference: 'P-2', kind: 'hmrc' },
      { amount: '900.00', spentOn: '2025-06-19', supplier: 'County Pension Fund', reference: 'P-3', kind: 'pension' },
      { amount: '12000.00', spentOn: '2025-07-15', supplier: 'Kinship Care Partners CIC', reference: 'T-3', description: 'Hub set-up, phase 1', supplierId: 'S-200' },
      {
        amount: '750.00',
        spentOn: '2025-08-01',
        supplier: 'Jane Smith',
        reference: 'T-4',
        description: 'Allowance for Jane Smith, kinship carer',
        supplierId: 'S-JS-77',
        expenditureCode: '5100',
        paidToIndividual: true,
      },
      { amount: '-600.00', spentOn: '2025-09-01', supplier: 'Kinship Care Partners CIC', reference: 'T-5', description: 'Credit note' },
    ];
    for (const entry of entries) expect((await spend(hub.id, entry)).status).toBe(201);
    const bare = await spend(hub.id, { amount: '1000.00', spentOn: '2026-03-31' });
    bareEntryId = bare.body.id;
    expect((await spend(later.id, { amount: '2500.00', spentOn: '2026-04-01', supplier: 'Next Year Ltd', reference: 'N-1' })).status).toBe(201);
    expect((await spend(clubs.id, { amount: '800.00', spentOn: '2025-06-20', supplier: 'Play Ltd', reference: 'H-1', description: 'June clubs' })).status).toBe(201);
    expect((await spend(clubs.id, { amount: '2000.00', spentOn: '2025-06-30', supplier: 'June payroll', reference: 'H-2', kind: 'payroll' })).status).toBe(201);
  });
  afterAll(() => testApp?.close());

  it("lists the grant's supplier payments of £500 or more in its year, the LGA columns beside the Code's, individuals redacted", async () => {
    const response = await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/spending-over-500`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="spending-over-500-${council.code}-csc-prevention-2025-04-01-to-2026-03-31.csv"`);
    expect(parseCsv(response.text)).toEqual([
      HEADER,
      ['2025-05-02', "Children's Services", 'Exactly Five Hundred Ltd', 'Venue hire', '500.00', '20.00', 'Premises', ...body(), 'T-2', 'S-100', '4210', 'Yes'],
      ['2025-07-15', 'Early Help', 'Kinship Care Partners CIC', 'Hub set-up, phase 1', '12000.00', '', '', ...body(), 'T-3', 'S-200', '', 'No'],
      ['2025-08-01', 'Early Help', 'Redacted personal data', 'Kinship Virtual Hub', '750.00', '', '', ...body(), 'T-4', '', '5100', 'No'],
      ['2026-03-31', 'Early Help', '', 'Kinship Virtual Hub', '1000.00', '', '', ...body(), bareEntryId, '', '', 'No'],
    ]);
    expect(response.text.endsWith('\r\n')).toBe(true);
  });

  it('leaves out payroll, HMRC and pension payments however large', async () => {
    const text = (await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/spending-over-500?from=2025-04-01&to=2025-06-30`)).text;
    expect(parseCsv(text).map((row) => row[TRANSACTION])).toEqual(['Transaction number', 'T-2']);
    for (const excluded of ['P-1', 'P-2', 'P-3', 'May payroll', 'HM Revenue', 'County Pension Fund']) expect(text).not.toContain(excluded);
    // They are still spend: the line's total counts them.
    const line = await council.as.reader.get(`/api/v1/commitments/${hubId}`);
    expect(line.body.spent).toBe('21549.99');
  });

  it("redacts an individual's name, supplier id and own description wherever they would appear", async () => {
    const text = (await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?financialYear=2025-26&quarter=Q2`)).text;
    expect(text).toContain('Redacted personal data');
    for (const personal of ['Jane Smith', 'S-JS-77', 'kinship carer']) expect(text).not.toContain(personal);
  });

  it('honours from and to, inclusive', async () => {
    const response = await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/spending-over-500?from=2025-07-01&to=2025-08-01`);
    expect(parseCsv(response.text).map((row) => row[TRANSACTION])).toEqual(['Transaction number', 'T-3', 'T-4']);
  });

  it('gives the whole organisation across its grants, given a range', async () => {
    const response = await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?from=2025-04-01&to=2027-03-31`);
    expect(response.status).toBe(200);
    expect(parseCsv(response.text).map((row) => row[TRANSACTION])).toEqual(['Transaction number', 'T-2', 'H-1', 'T-3', 'T-4', bareEntryId, 'N-1']);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="spending-over-500-${council.code}-2025-04-01-to-2027-03-31.csv"`);
  });

  it("publishes a quarter as one file for the organisation, covering every grant's payments in it", async () => {
    const response = await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?financialYear=2025-26&quarter=Q1`);
    expect(response.status).toBe(200);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="spending-over-500-${council.code}-2025-26-Q1.csv"`);
    expect(parseCsv(response.text)).toEqual([
      HEADER,
      ['2025-05-02', "Children's Services", 'Exactly Five Hundred Ltd', 'Venue hire', '500.00', '20.00', 'Premises', ...body(), 'T-2', 'S-100', '4210', 'Yes'],
      ['2025-06-20', 'Youth', 'Play Ltd', 'June clubs', '800.00', '', '', ...body(), 'H-1', '', '', 'No'],
    ]);
    const q2 = await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?financialYear=2025-26&quarter=Q2`);
    expect(parseCsv(q2.text).map((row) => row[TRANSACTION])).toEqual(['Transaction number', 'T-3', 'T-4']);
    const q1NextYear = await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?financialYear=2026-27&quarter=Q1`);
    expect(parseCsv(q1NextYear.text).map((row) => row[TRANSACTION])).toEqual(['Transaction number', 'N-1']);
  });

  it("gives a grant's quarter of its own year, and a whole financial year", async () => {
    const quarter = await getRaw(testApp, token, `/api/v1/grants/${secondGrantId}/reports/spending-over-500?quarter=Q1`);
    expect(quarter.headers['content-disposition']).toBe(`attachment; filename="spending-over-500-${council.code}-${SECOND_SCHEME.code}-2025-26-Q1.csv"`);
    expect(parseCsv(quarter.text).map((row) => row[TRANSACTION])).toEqual(['Transaction number', 'H-1']);
    const year = await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?financialYear=2026-27`);
    expect(year.headers['content-disposition']).toBe(`attachment; filename="spending-over-500-${council.code}-2026-04-01-to-2027-03-31.csv"`);
    expect(parseCsv(year.text).map((row) => row[TRANSACTION])).toEqual(['Transaction number', 'N-1']);
  });

  it("lets every role of the council read the quarter's file, and answers 404 to every role of another", async () => {
    const url = `/api/v1/organisations/${council.id}/reports/spending-over-500?financialYear=2025-26&quarter=Q1`;
    for (const role of ['reader', 'finance', 'programme_lead', 'admin'] as const) {
      const own = await council.as[role].get(url);
      expect(own.status, role).toBe(200);
      expect(String(own.body)).toContain('Play Ltd');
      const other = await outsider.as[role].get(url);
      expect(other.status, role).toBe(404);
      expect(String(other.body)).not.toContain('Play Ltd');
    }
    expect((await apiAs(testApp.app, null).get(url)).status).toBe(401);
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

  it('refuses a bad quarter or financial year with 400 naming the field', async () => {
    const base = `/api/v1/organisations/${council.id}/reports/spending-over-500`;
    const cases: [string, string][] = [
      ['?financialYear=2025-26&quarter=Q5', 'quarter'],
      ['?financialYear=2025-26&quarter=q1', 'quarter'],
      ['?financialYear=2025-27&quarter=Q1', 'financialYear'],
      ['?financialYear=25-26&quarter=Q1', 'financialYear'],
      ['?quarter=Q1', 'financialYear'],
      ['?financialYear=2025-26&quarter=Q1&from=2025-04-01', 'from'],
    ];
    for (const [query, path] of cases) {
      const response = await council.as.reader.get(`${base}${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers['content-type'], query).toMatch(/^application\/problem\+json/);
      expect(new Set(response.body.errors.map((e: { path: string }) => e.path)), query).toEqual(new Set([path]));
    }
    const grantQuarter = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/spending-over-500?quarter=Q9`);
    expect(grantQuarter.status).toBe(400);
    expect(grantQuarter.body.errors.map((e: { path: string }) => e.path)).toEqual(['quarter']);
  });
});
