import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

describe('grants and commitment lines', () => {
  let testApp: TestApp;
  let council: TestOrganisation;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
  });
  afterAll(() => testApp?.close());

  it('allows one grant per organisation, scheme and year', async () => {
    await createGrant(council, undefined, '2025-26');
    const again = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, { scheme: 'csc-prevention', financialYear: '2025-26', tranches: [] });
    expect(again.status).toBe(409);
    const badYear = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, { scheme: 'csc-prevention', financialYear: '2025-27' });
    expect(badYear.status).toBe(400);
    expect(badYear.body.errors[0].path).toBe('financialYear');
    const badScheme = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, { scheme: 'nope', financialYear: '2024-25' });
    expect(badScheme.status).toBe(400);
    expect(badScheme.body.errors[0].path).toBe('scheme');
  });

  it('keeps a provisional allocation apart from the confirmed one', async () => {
    const grant = await createGrant(council, [{ amount: '1173000', description: 'Awaiting determination', status: 'provisional' }], '2026-27');
    expect(grant).toMatchObject({ allocation: '1173000.00', confirmedAllocation: '0.00' });
  });

  it('takes its own planned shares per grant', async () => {
    const response = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, {
      scheme: 'csc-prevention',
      financialYear: '2027-28',
      tranches: [{ amount: '1000', description: 'x', status: 'confirmed' }],
      categories: [
        { code: 'family_help_delivery', plannedShare: '0.6000' },
        { code: 'transformation', maxShare: '0.2000', plannedShare: '0.2000' },
      ],
    });
    expect(response.status).toBe(201);
    expect(response.body.categories.slice(0, 2)).toMatchObject([
      { code: 'transformation', plannedShare: '0.2000', maxShare: '0.2000' },
      { code: 'family_help_delivery', plannedShare: '0.6000', maxShare: null },
    ]);
    const loosened = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, {
      scheme: 'csc-prevention',
      financialYear: '2028-29',
      categories: [{ code: 'transformation', maxShare: '0.4000' }, { code: 'unknown' }],
    });
    expect(loosened.status).toBe(400);
    expect(loosened.body.errors.map((e: { path: string }) => e.path)).toEqual(['categories.0.maxShare', 'categories.1.code']);
  });

  it('numbers lines, refuses a taken ref, and names an unknown category', async () => {
    const grant = await createGrant(council, undefined, '2029-30');
    const custom = await createLine(council.as.finance, grant.id, { ref: 'T1', title: 'Custom ref', category: 'transformation', amount: '1' });
    expect(custom.ref).toBe('T1');
    const first = await createLine(council.as.finance, grant.id, { title: 'First', category: 'transformation', amount: '1' });
    expect(first.ref).toBe('1');
    await createLine(council.as.finance, grant.id, { ref: '7', title: 'Seventh', category: 'transformation', amount: '1' });
    const next = await createLine(council.as.finance, grant.id, { title: 'Next', category: 'transformation', amount: '1' });
    expect(next.ref).toBe('8');
    const taken = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { ref: '7', title: 'Dup', category: 'transformation', amount: '1' });
    expect(taken.status).toBe(409);
    const unknown = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'x', category: 'nonsense', amount: '1' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'category', message: expect.stringContaining('transformation') });
  });

  it('amends with If-Match, and refuses a stale ETag with 412 leaving the line unchanged', async () => {
    const grant = await createGrant(council, undefined, '2030-31');
    const line = await createLine(council.as.finance, grant.id, { title: 'Line', category: 'family_voice', amount: '10', decisionRef: 'Cabinet 9 June 2025, recommendation 3' });
    const read = await council.as.reader.get(`/api/v1/commitments/${line.id}`);
    const etag = String(read.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const first = await council.as.finance.patch(
      `/api/v1/commitments/${line.id}`,
      { amount: '12', status: 'approved', approvedBy: 'Director of Children’s Services' },
      { 'if-match': etag },
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ amount: '12.00', status: 'approved', version: 2, decisionRef: 'Cabinet 9 June 2025, recommendation 3' });
    expect(first.headers.etag).not.toBe(etag);
    const stale = await council.as.finance.patch(`/api/v1/commitments/${line.id}`, { amount: '99' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body.type).toMatch(/precondition-failed$/);
    expect((await council.as.reader.get(`/api/v1/commitments/${line.id}`)).body.amount).toBe('12.00');
    const empty = await council.as.finance.patch(`/api/v1/commitments/${line.id}`, {});
    expect(empty.status).toBe(400);
  });

  it('keeps every version of a line in the database', async () => {
    const grant = await createGrant(council, undefined, '2031-32');
    const line = await createLine(council.as.finance, grant.id, { title: 'Versioned', category: 'family_voice', amount: '10' });
    await council.as.finance.patch(`/api/v1/commitments/${line.id}`, { amount: '20' });
    await council.as.finance.post(`/api/v1/commitments/${line.id}/withdraw`);
    const versions = await testApp.database.handle.db
      .selectFrom('commitment_versions')
      .select(['version', 'amount', 'status'])
      .where('commitment_id', '=', line.id)
      .orderBy('version')
      .execute();
    expect(versions).toEqual([
      { version: 1, amount: '10.00', status: 'proposed' },
      { version: 2, amount: '20.00', status: 'proposed' },
      { version: 3, amount: '20.00', status: 'withdrawn' },
    ]);
    await expect(testApp.database.handle.db.deleteFrom('commitment_versions').where('commitment_id', '=', line.id).execute()).rejects.toThrow(/append-only/);
  });

  it('refuses to withdraw a line that has spend, and spend on a withdrawn line', async () => {
    const grant = await createGrant(council, undefined, '2032-33');
    const spent = await createLine(council.as.finance, grant.id, { title: 'Spent', category: 'family_voice', amount: '10' });
    await council.as.finance.post(`/api/v1/commitments/${spent.id}/spend`, { amount: '5', spentOn: '2032-04-10' });
    const withdraw = await council.as.finance.post(`/api/v1/commitments/${spent.id}/withdraw`);
    expect(withdraw.status).toBe(422);
    expect(withdraw.body.detail).toContain('£5.00');
    const idle = await createLine(council.as.finance, grant.id, { title: 'Idle', category: 'family_voice', amount: '10' });
    await council.as.finance.post(`/api/v1/commitments/${idle.id}/withdraw`);
    const late = await council.as.finance.post(`/api/v1/commitments/${idle.id}/spend`, { amount: '5', spentOn: '2032-04-10' });
    expect(late.status).toBe(422);
    expect(late.body.type).toMatch(/invalid-state$/);
  });

  it('lists spend with quarters and the transparency fields', async () => {
    const grant = await createGrant(council, undefined, '2033-34');
    const line = await createLine(council.as.finance, grant.id, { title: 'Hub', category: 'family_help_delivery', amount: '100' });
    await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, {
      amount: '60.00',
      spentOn: '2033-10-01',
      reference: 'INV-1',
      supplier: 'Kinship Care Ltd',
      expenseArea: "Children's Services",
      irrecoverableVat: '0.00',
    });
    await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '20.00', spentOn: '2033-04-01' });
    const spend = await council.as.reader.get(`/api/v1/commitments/${line.id}/spend`);
    expect(spend.body.items.map((s: { spentOn: string; quarter: string }) => `${s.spentOn} ${s.quarter}`)).toEqual(['2033-04-01 Q1', '2033-10-01 Q3']);
    expect(spend.body.items[1]).toMatchObject({ supplier: 'Kinship Care Ltd', reference: 'INV-1', paidToIndividual: false });
    expect((await council.as.reader.get(`/api/v1/commitments/${line.id}`)).body).toMatchObject({ spent: '80.00', exposure: '100.00' });
  });
});
