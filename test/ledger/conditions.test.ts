import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TRANCHES } from '../../src/demo/worked-example.ts';
import { type Api, apiAs, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/** Conditions by determination: base and earmarked tranches, corrections and withdrawals re-checked. */
describe('grant conditions by determination', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let platform: Api;

  beforeAll(async () => {
    testApp = await startTestApp();
    platform = apiAs(testApp.app, testApp.adminToken);
    council = await createOrganisation(testApp, 'Conditions Council');
  });
  afterAll(() => testApp?.close());

  async function workedExample(financialYear: string, topUp: Record<string, unknown>) {
    const grant = await createGrant(council, [WORKED_EXAMPLE_TRANCHES[0]], financialYear);
    const second = await council.as.finance.post(`/api/v1/grants/${grant.id}/tranches`, { ...WORKED_EXAMPLE_TRANCHES[1], ...topUp });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    for (const line of WORKED_EXAMPLE_LINES.filter((l) => l.category === 'transformation')) {
      await createLine(council.as.finance, grant.id, { title: line.title, category: line.category, amount: line.amount });
    }
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    return { grant, tranche: second.body, transformation: summary.body.categories.find((c: { code: string }) => c.code === 'transformation') };
  }

  it('adds a 31/7969 tranche whole to the transformation cap: £751,900.00, headroom £266,223.00', async () => {
    const { tranche, transformation } = await workedExample('2025-26', {});
    expect(tranche).toMatchObject({ purpose: 'earmarked', earmarkedCategory: 'transformation', determinationRef: '31/7969' });
    expect(transformation).toMatchObject({ cap: '751900.00', headroom: '266223.00', earmarked: '127000.00', committed: '485677.00' });
  });

  it('keeps the cap at 30% of everything (£663,000.00) without the determination, or when the council reads it strictly', async () => {
    const council2 = await createOrganisation(testApp, 'Strict Council');
    const plain = await createGrant(council2, [
      { amount: '2083000.00', description: 'Prevention Grant', status: 'confirmed' },
      { amount: '127000.00', description: 'Top-up', status: 'confirmed' },
    ]);
    const summary = await council2.as.reader.get(`/api/v1/grants/${plain.id}/summary`);
    expect(summary.body.categories.find((c: { code: string }) => c.code === 'transformation')).toMatchObject({ cap: '663000.00', earmarked: '0.00' });

    const strict = await createGrant(
      council2,
      [
        { amount: '2083000.00', description: 'Prevention Grant', status: 'confirmed' },
        { amount: '127000.00', description: 'Top-up', status: 'confirmed', determinationRef: '31/7969', purpose: 'base' } as never,
      ],
      '2026-27',
    );
    const strictSummary = await council2.as.reader.get(`/api/v1/grants/${strict.id}/summary`);
    expect(strictSummary.body.base).toBe('2210000.00');
    expect(strictSummary.body.categories.find((c: { code: string }) => c.code === 'transformation')).toMatchObject({ cap: '663000.00' });
  });

  it('refuses the first transformation line past the earmarked cap, naming the cap and headroom', async () => {
    const { grant } = await workedExample('2026-27', { determinationRef: undefined, purpose: 'earmarked', earmarkedCategory: 'transformation' });
    const tooMuch = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'Too much', category: 'transformation', amount: '266223.01' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/cap-exceeded$/),
      category: 'transformation',
      cap: '751900.00',
      headroom: '266223.00',
      attempted: '266223.01',
    });
    expect(tooMuch.body.detail).toContain('plus £127,000.00 earmarked to it');
    const fits = await council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'Just fits', category: 'transformation', amount: '266223.00' });
    expect(fits.status).toBe(201);
  });

  it('confirms and corrects a provisional 2026-27 tranche, re-checking the caps, and refuses a correction that would break one', async () => {
    const council = await createOrganisation(testApp, 'Provisional Council');
    const grant = await createGrant(council, [{ amount: '1000000.00', description: 'Provisional allocation', status: 'provisional' }], '2026-27');
    const trancheId = grant.tranches[0]!.id;
    await createLine(council.as.finance, grant.id, { title: 'Programme team', category: 'transformation', amount: '290000.00' });

    const read = await council.as.reader.get(`/api/v1/tranches/${trancheId}`);
    expect(read.status).toBe(200);
    const etag = String(read.headers.etag);
    const confirmed = await council.as.finance.patch(`/api/v1/tranches/${trancheId}`, { status: 'confirmed' }, { 'if-match': etag });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', version: 2, allocation: '1000000.00' });

    const stale = await council.as.finance.patch(`/api/v1/tranches/${trancheId}`, { amount: '990000.00' }, { 'if-match': etag });
    expect(stale.status).toBe(412);

    // 30% of £960,000 is £288,000: below the £290,000 already committed.
    const tooLow = await council.as.finance.patch(`/api/v1/tranches/${trancheId}`, { amount: '960000.00' });
    expect(tooLow.status).toBe(422);
    expect(tooLow.body).toMatchObject({ category: 'transformation', cap: '288000.00', headroom: '-2000.00', attempted: '960000.00' });
    const unchanged = await council.as.reader.get(`/api/v1/grants/${grant.id}`);
    expect(unchanged.body.allocation).toBe('1000000.00');

    const corrected = await council.as.finance.patch(`/api/v1/tranches/${trancheId}`, { amount: '980000.00' }, { 'if-match': String(confirmed.headers.etag) });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ amount: '980000.00', allocation: '980000.00', version: 3 });

    const audit = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=tranche&entityId=${trancheId}`);
    expect(audit.body.items.map((r: { action: string }) => r.action).sort()).toEqual(['create', 'update', 'update']);
  });

  it('withdraws a tranche entered twice, refuses withdrawing the last base tranche under live lines, and spend past the allocation', async () => {
    const grant = await createGrant(
      council,
      [
        { amount: '500.00', description: 'Allocation', status: 'confirmed' },
        { amount: '500.00', description: 'Allocation entered twice', status: 'confirmed' },
      ],
      '2028-29',
    );
    const [first, duplicate] = grant.tranches.map((t) => t.id);
    const line = await createLine(council.as.finance, grant.id, { title: 'Family Help', category: 'family_help_delivery', amount: '400.00' });

    const withdrawn = await council.as.finance.post(`/api/v1/tranches/${duplicate}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', allocation: '500.00' });
    expect((await council.as.finance.post(`/api/v1/tranches/${duplicate}/withdraw`)).body.version).toBe(withdrawn.body.version);
    const changeWithdrawn = await council.as.finance.patch(`/api/v1/tranches/${duplicate}`, { amount: '10.00' });
    expect(changeWithdrawn.status).toBe(422);

    const last = await council.as.finance.post(`/api/v1/tranches/${first}/withdraw`);
    expect(last.status).toBe(422);
    expect(last.body.type).toMatch(/\/problems\/invalid-state$/);

    const spend = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '400.00', spentOn: '2028-06-30' });
    expect(spend.status).toBe(201);
    const overspend = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '100.01', spentOn: '2028-07-01' });
    expect(overspend.status).toBe(422);
    expect(overspend.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/over-allocation$/),
      allocation: '500.00',
      spent: '400.00',
      remaining: '100.00',
      attempted: '100.01',
    });
    const shrink = await council.as.finance.patch(`/api/v1/tranches/${first}`, { amount: '399.99' });
    expect(shrink.status).toBe(422);
    expect(shrink.body.type).toMatch(/\/problems\/over-allocation$/);
  });

  it('warns of over-commitment, overspent lines and spend on tbc or proposed lines, near-cap and drift', async () => {
    const grant = await createGrant(council, [{ amount: '1000.00', description: 'Allocation', status: 'confirmed' }], '2029-30');
    const overspent = await createLine(council.as.finance, grant.id, { title: 'Overspent', category: 'transformation', amount: '100.00', status: 'approved' });
    await council.as.finance.post(`/api/v1/commitments/${overspent.id}/spend`, { amount: '150.00', spentOn: '2029-05-01' });
    const tbc = await createLine(council.as.finance, grant.id, { title: 'Costs tbc', category: 'practice_workforce_ict', amount: null, status: 'approved' });
    await council.as.finance.post(`/api/v1/commitments/${tbc.id}/spend`, { amount: '10.00', spentOn: '2029-05-01' });
    const proposed = await createLine(council.as.finance, grant.id, { title: 'Not yet approved', category: 'family_help_delivery', amount: '1000.00' });
    await council.as.finance.post(`/api/v1/commitments/${proposed.id}/spend`, { amount: '5.00', spentOn: '2029-05-01' });

    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    expect(summary.body.overCommitted).toBe('100.00');
    const codes = summary.body.warnings.map((w: { code: string; category?: string; commitmentId?: string }) => `${w.code}:${w.category ?? w.commitmentId ?? ''}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'over-allocation:',
        `line-overspent:${overspent.id}`,
        `spend-on-tbc-line:${tbc.id}`,
        `spend-on-proposed-line:${proposed.id}`,
        // exposure £150 of a £300 cap is not near it; family help commits 100% against a 50% plan.
        'planned-share-drift:family_help_delivery',
      ]),
    );
    expect(codes).not.toContain('near-cap:transformation');
    await createLine(council.as.finance, grant.id, { title: 'Near the cap', category: 'transformation', amount: '120.00' });
    const near = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    expect(near.body.warnings.map((w: { code: string }) => w.code)).toContain('near-cap');
  });

  it('refuses bad conditions: an unknown earmark, a repeated year, each naming the field', async () => {
    const grant = await createGrant(council, undefined, '2030-31');
    const unknown = await council.as.finance.post(`/api/v1/grants/${grant.id}/tranches`, {
      amount: '10.00',
      description: 'x',
      status: 'confirmed',
      purpose: 'earmarked',
      earmarkedCategory: 'no_such_category',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('earmarkedCategory');
    const baseWithCategory = await council.as.finance.post(`/api/v1/grants/${grant.id}/tranches`, {
      amount: '10.00',
      description: 'x',
      status: 'confirmed',
      purpose: 'base',
      earmarkedCategory: 'transformation',
    });
    expect(baseWithCategory.status).toBe(400);

    const schemes = await platform.get('/api/v1/schemes');
    const csc = schemes.body.items.find((s: { code: string }) => s.code === 'csc-prevention');
    expect(csc.versions.map((v: { financialYear: string }) => v.financialYear)).toEqual(['2025-26', '2026-27']);
    expect(csc.versions[0].determinations).toEqual([
      expect.objectContaining({ ref: '31/7833', purpose: 'base' }),
      expect.objectContaining({ ref: '31/7969', purpose: 'earmarked', earmarkedCategory: 'transformation' }),
    ]);
    const { financialYear: _year, ...version } = csc.versions[1];
    const repeated = await platform.post('/api/v1/schemes/csc-prevention/versions', {
      ...version,
      financialYear: '2026-27',
      categories: version.categories.map(({ headingLabel: _label, ...c }: Record<string, unknown>) => c),
    });
    expect(repeated.status).toBe(409);
    const badEarmark = await platform.post('/api/v1/schemes/csc-prevention/versions', {
      financialYear: '2031-32',
      headings: [{ code: 'delivery', label: 'Delivery' }],
      categories: [{ code: 'delivery', name: 'Delivery', heading: 'delivery', plannedShare: '1.0000', maxShare: null }],
      determinations: [{ ref: '31/1', title: 'x', purpose: 'earmarked', earmarkedCategory: 'transformation' }],
    });
    expect(badEarmark.status).toBe(400);
    expect(badEarmark.body.errors.map((e: { path: string }) => e.path)).toEqual(['determinations.0.earmarkedCategory']);
    expect((await council.as.admin.post('/api/v1/schemes/csc-prevention/versions', {})).status).toBe(403);
  });
});
