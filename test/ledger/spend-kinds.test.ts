import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/**
 * A spend entry's kind and the LGA layout's fields (supplier id, expenditure code, card
 * transaction): set on entry, shown back, and checked before anything is written.
 */
describe("a spend entry's kind and transparency fields", () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let outsider: TestOrganisation;
  let grantId: string;
  let lineId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Kinds Council');
    outsider = await createOrganisation(testApp, 'Other Council');
    grantId = (await createGrant(council, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    lineId = (await createLine(council.as.finance, grantId, { title: 'Transformation team', category: 'transformation', amount: '20000.00' })).id;
  });
  afterAll(() => testApp?.close());

  const spendUrl = () => `/api/v1/commitments/${lineId}/spend`;

  it('records the kind and the LGA fields, and shows them back', async () => {
    const recorded = await council.as.finance.post(spendUrl(), {
      amount: '4200.00',
      spentOn: '2025-06-30',
      reference: 'PAY-06',
      supplier: 'June payroll',
      kind: 'payroll',
      supplierId: ' V-001 ',
      expenditureCode: '0101',
      cardTransaction: true,
    });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    expect(recorded.body).toMatchObject({ kind: 'payroll', supplierId: 'V-001', expenditureCode: '0101', cardTransaction: true });
    const items = (await council.as.reader.get(spendUrl())).body.items;
    expect(items.find((item: { reference: string }) => item.reference === 'PAY-06')).toMatchObject({ kind: 'payroll', supplierId: 'V-001', cardTransaction: true });
  });

  it('takes a supplier payment, not by card, with no codes, when nothing is said', async () => {
    const recorded = await council.as.finance.post(spendUrl(), { amount: '10.00', spentOn: '2025-07-01' });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ kind: 'supplier', supplierId: null, expenditureCode: null, cardTransaction: false });
  });

  it('accepts each kind the Code distinguishes', async () => {
    for (const kind of ['supplier', 'payroll', 'hmrc', 'pension']) {
      const recorded = await council.as.finance.post(spendUrl(), { amount: '1.00', spentOn: '2025-08-01', kind });
      expect(recorded.status, kind).toBe(201);
      expect(recorded.body.kind).toBe(kind);
    }
  });

  it('refuses an unknown kind, or a field of the wrong type, with 400 naming it and nothing written', async () => {
    const before = (await council.as.reader.get(spendUrl())).body.items.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'salary' }, 'kind'],
      [{ kind: 'PAYROLL' }, 'kind'],
      [{ kind: '' }, 'kind'],
      [{ kind: 3 }, 'kind'],
      [{ kind: null }, 'kind'],
      [{ cardTransaction: 'yes' }, 'cardTransaction'],
      [{ supplierId: 'S'.repeat(101) }, 'supplierId'],
      [{ expenditureCode: 42 }, 'expenditureCode'],
    ];
    for (const [fields, path] of cases) {
      const refused = await council.as.finance.post(spendUrl(), { amount: '99.00', spentOn: '2025-09-01', ...fields });
      expect(refused.status, JSON.stringify(fields)).toBe(400);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    const unknown = await council.as.finance.post(spendUrl(), { amount: '99.00', spentOn: '2025-09-01', kind: 'salary' });
    expect(unknown.body.errors[0].message).toContain('supplier, payroll, hmrc, pension');
    expect((await council.as.reader.get(spendUrl())).body.items).toHaveLength(before);
  });

  it('lets a reader see the kind but not record spend, and another council neither', async () => {
    const body = { amount: '5.00', spentOn: '2025-09-02', kind: 'hmrc' };
    expect((await council.as.reader.post(spendUrl(), body)).status).toBe(403);
    for (const role of ['reader', 'finance', 'programme_lead', 'admin'] as const) {
      expect((await outsider.as[role].post(spendUrl(), body)).status, role).toBe(404);
      expect((await outsider.as[role].get(spendUrl())).status, role).toBe(404);
    }
  });

  it('keeps the kinds in the database too: rows written without them are supplier payments, and no other kind is stored', async () => {
    const db = testApp.app.db;
    const written = await db
      .insertInto('spend_entries')
      .values({ organisation_id: council.id, grant_id: grantId, commitment_id: lineId, amount: '3.00', spent_on: '2025-10-01' })
      .returning(['kind', 'supplier_id', 'expenditure_code', 'card_transaction'])
      .executeTakeFirstOrThrow();
    expect(written).toEqual({ kind: 'supplier', supplier_id: null, expenditure_code: null, card_transaction: false });
    const refused = db
      .insertInto('spend_entries')
      .values({ organisation_id: council.id, grant_id: grantId, commitment_id: lineId, amount: '3.00', spent_on: '2025-10-01', kind: 'salary' as never })
      .execute();
    await expect(refused).rejects.toThrow(/spend_entries_kind_check/);
  });
});
