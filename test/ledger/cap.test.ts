import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/** Invariant 2: Σ max(amount, spent) over a capped category's live lines ≤ cap × allocation. */
describe('the 30% transformation cap', () => {
  let testApp: TestApp;
  let council: TestOrganisation;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
  });
  afterAll(() => testApp?.close());

  async function freshGrant(allocation = '1000.00', financialYear = '2025-26') {
    return createGrant(council, [{ amount: allocation, description: 'Prevention Grant', status: 'confirmed' }], financialYear);
  }

  async function headroom(grantId: string): Promise<string> {
    const summary = await council.as.reader.get(`/api/v1/grants/${grantId}/summary`);
    return summary.body.categories.find((c: { code: string }) => c.code === 'transformation').headroom;
  }

  it('accepts a line that brings transformation to exactly 30%, and refuses one penny more', async () => {
    const grant = await freshGrant('2210000.00', '2026-27');
    await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '485677.00' });
    const exact = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, {
      title: 'Secondments',
      category: 'transformation',
      amount: '177323.00',
    });
    expect(exact.status).toBe(201);
    expect(await headroom(grant.id)).toBe('0.00');

    const penny = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, {
      title: 'One penny too many',
      category: 'transformation',
      amount: '0.01',
    });
    expect(penny.status).toBe(422);
    expect(penny.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(penny.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/cap-exceeded$/),
      status: 422,
      category: 'transformation',
      maxShare: '0.3000',
      cap: '663000.00',
      headroom: '0.00',
      attempted: '0.01',
    });
    expect(penny.body.detail).toContain('£663,000.00');
    const lines = await council.as.reader.get(`/api/v1/grants/${grant.id}/commitments`);
    expect(lines.body.items).toHaveLength(2);
  });

  it('reports the headroom left when a line is too big', async () => {
    const grant = await freshGrant('1000.00', '2027-28');
    await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '250.00' });
    const tooBig = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'Too big', category: 'transformation', amount: '50.01' });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body).toMatchObject({ cap: '300.00', headroom: '50.00', attempted: '50.01' });
  });

  it('rounds the cap down to the penny', async () => {
    const grant = await freshGrant('1000.05', '2028-29');
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    // 0.3 × 1000.05 = 300.015: the condition allows 300.01, not 300.02.
    expect(summary.body.categories[0]).toMatchObject({ code: 'transformation', cap: '300.01', headroom: '300.01' });
    const over = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'x', category: 'transformation', amount: '300.02' });
    expect(over.status).toBe(422);
    const exact = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'x', category: 'transformation', amount: '300.01' });
    expect(exact.status).toBe(201);
  });

  it('never blocks categories that only have a planned share', async () => {
    const grant = await freshGrant('1000.00', '2029-30');
    const big = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'Family Help', category: 'family_help_delivery', amount: '900.00' });
    expect(big.status).toBe(201);
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    const familyHelp = summary.body.categories.find((c: { code: string }) => c.code === 'family_help_delivery');
    expect(familyHelp).toMatchObject({ planned: '500.00', committed: '900.00', fromPlan: '400.00', share: '0.9000', cap: null });
    expect(summary.body.uncommitted).toBe('100.00');
  });

  it('checks the cap again when a line is amended, moved into the category, or its tbc amount is set', async () => {
    const grant = await freshGrant('1000.00', '2030-31');
    const team = await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '200.00' });
    const raise = await council.as.finance.patch(`/api/v1/commitments/${team.id}`, { amount: '300.01' });
    expect(raise.status).toBe(422);
    expect(raise.body).toMatchObject({ headroom: '100.00', attempted: '300.01' });
    expect((await council.as.finance.patch(`/api/v1/commitments/${team.id}`, { amount: '300.00' })).status).toBe(200);

    const tbc = await createLine(council.as.finance, grant.id, { title: 'Later', category: 'transformation', amount: null });
    const setAmount = await council.as.finance.patch(`/api/v1/commitments/${tbc.id}`, { amount: '0.01' });
    expect(setAmount.status).toBe(422);

    const delivery = await createLine(council.as.finance, grant.id, { title: 'Delivery', category: 'family_help_delivery', amount: '10.00' });
    const move = await council.as.finance.patch(`/api/v1/commitments/${delivery.id}`, { category: 'transformation' });
    expect(move.status).toBe(422);
    expect(move.body).toMatchObject({ category: 'transformation', headroom: '0.00' });

    // A cut is always allowed, and frees the room it held.
    expect((await council.as.finance.patch(`/api/v1/commitments/${team.id}`, { amount: '290.00' })).status).toBe(200);
    expect((await council.as.finance.patch(`/api/v1/commitments/${delivery.id}`, { category: 'transformation' })).status).toBe(200);
    expect(await headroom(grant.id)).toBe('0.00');
  });

  it('frees room when a line is withdrawn, and counts the withdrawn line in no total', async () => {
    const grant = await freshGrant('1000.00', '2031-32');
    const team = await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '300.00' });
    expect((await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'x', category: 'transformation', amount: '1.00' })).status).toBe(422);
    const withdrawn = await council.as.finance.post(`/api/v1/commitments/${team.id}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    expect(summary.body).toMatchObject({ committed: '0.00', uncommitted: '1000.00', lines: 0 });
    expect((await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'x', category: 'transformation', amount: '300.00' })).status).toBe(201);
    const amendWithdrawn = await council.as.finance.patch(`/api/v1/commitments/${team.id}`, { amount: '1.00' });
    expect(amendWithdrawn.status).toBe(422);
    expect(amendWithdrawn.body.type).toMatch(/\/invalid-state$/);
  });

  it('refuses spend that pushes exposure past the cap, and a negative correction then makes room', async () => {
    const grant = await freshGrant('1000.00', '2032-33');
    const team = await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '250.00' });
    const other = await createLine(council.as.finance, grant.id, { title: 'Other', category: 'transformation', amount: '40.00' });
    // Spend within the line's amount adds no exposure.
    expect((await council.as.finance.post(`/api/v1/commitments/${team.id}/spend`, { amount: '250.00', spentOn: '2032-05-01' })).status).toBe(201);
    // Overspending by 10 uses the last 10 of headroom.
    expect((await council.as.finance.post(`/api/v1/commitments/${team.id}/spend`, { amount: '10.00', spentOn: '2032-05-02' })).status).toBe(201);
    expect(await headroom(grant.id)).toBe('0.00');
    const over = await council.as.finance.post(`/api/v1/commitments/${other.id}/spend`, { amount: '40.01', spentOn: '2032-05-03' });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ type: expect.stringMatching(/cap-exceeded$/), headroom: '0.00', attempted: '40.01' });

    const correction = await council.as.finance.post(`/api/v1/commitments/${team.id}/spend`, { amount: '-10.00', spentOn: '2032-06-01', description: 'Miscoded invoice' });
    expect(correction.status).toBe(201);
    expect(await headroom(grant.id)).toBe('10.00');
    expect((await council.as.finance.post(`/api/v1/commitments/${other.id}/spend`, { amount: '50.00', spentOn: '2032-05-03' })).status).toBe(201);
    expect(await headroom(grant.id)).toBe('0.00');
  });

  it('counts the spend of a tbc line against the cap', async () => {
    const grant = await freshGrant('1000.00', '2033-34');
    const tbc = await createLine(council.as.finance, grant.id, { title: 'Not yet costed', category: 'transformation', amount: null });
    expect((await council.as.finance.post(`/api/v1/commitments/${tbc.id}/spend`, { amount: '300.01', spentOn: '2033-07-01' })).status).toBe(422);
    expect((await council.as.finance.post(`/api/v1/commitments/${tbc.id}/spend`, { amount: '120.00', spentOn: '2033-07-01' })).status).toBe(201);
    expect(await headroom(grant.id)).toBe('180.00');
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    expect(summary.body).toMatchObject({ committed: '0.00', spent: '120.00', tbcLines: 1 });
  });

  it('lets a grant tighten its cap but never loosen it, nor tighten it below what is held', async () => {
    const grant = await freshGrant('1000.00', '2034-35');
    await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '200.00' });
    const loosen = await council.as.finance.patch(`/api/v1/grants/${grant.id}/categories/transformation`, { maxShare: '0.3500' });
    expect(loosen.status).toBe(400);
    expect(loosen.body.errors).toEqual([{ path: 'maxShare', message: expect.stringContaining('0.3000') }]);
    const remove = await council.as.finance.patch(`/api/v1/grants/${grant.id}/categories/transformation`, { maxShare: null });
    expect(remove.status).toBe(400);
    const belowHeld = await council.as.finance.patch(`/api/v1/grants/${grant.id}/categories/transformation`, { maxShare: '0.1999' });
    expect(belowHeld.status).toBe(422);
    const tighten = await council.as.finance.patch(`/api/v1/grants/${grant.id}/categories/transformation`, { maxShare: '0.2500', plannedShare: '0.2500' });
    expect(tighten.status).toBe(200);
    expect((await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'x', category: 'transformation', amount: '50.01' })).status).toBe(422);
    // A cap on a category the scheme leaves uncapped is a tightening too.
    const capVoice = await council.as.finance.patch(`/api/v1/grants/${grant.id}/categories/family_voice`, { maxShare: '0.0500' });
    expect(capVoice.status).toBe(200);
    expect((await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'x', category: 'family_voice', amount: '50.01' })).status).toBe(422);
  });

  it('grows the cap with each new tranche', async () => {
    const grant = await freshGrant('1000.00', '2035-36');
    await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '300.00' });
    const tranche = await council.as.finance.post(`/api/v1/grants/${grant.id}/tranches`, { amount: '500.00', description: 'Provisional top-up', status: 'provisional' });
    expect(tranche.status).toBe(201);
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    expect(summary.body).toMatchObject({ allocation: '1500.00', confirmedAllocation: '1000.00' });
    expect(await headroom(grant.id)).toBe('150.00');
  });
});
