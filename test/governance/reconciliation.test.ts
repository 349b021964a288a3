import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { created, orgPath, rowCounts } from './support.ts';

/** 2025-26 runs 1 April 2025 to 31 March 2026: 365 days. */
describe('reconciling lines with the posts and secondments they fund', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  const lines: Record<string, string> = {};

  const reconciliation = async () => {
    const response = await council.as.reader.get(`/api/v1/grants/${grantId}/reconciliation`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const lineOf = async (ref: string) => (await reconciliation()).lines.find((line: { ref: string }) => line.ref === ref);

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Reconciling Council');
    grantId = (await createGrant(council, [{ amount: '2210000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    const finance = council.as.finance;
    const add = async (ref: string, title: string, amount: string | null, category = 'family_help_delivery') =>
      (lines[ref] = (await createLine(finance, grantId, { ref, title, category, amount })).id);
    await add('1', 'Transformation team', '335677', 'transformation');
    await add('2', 'Secondments from partner organisations', '150000', 'transformation');
    await add('4', "Children's Social Care: 2 post-Special Guardianship Order support posts", '63000');
    await add('8', "Children's Social Care: 3 temporary family support workers", '32579');
    await add('12', 'ICT: single-system information and data sharing', null, 'practice_workforce_ict');
    await add('13', 'Commissioning a joint Family Help needs analysis', '19484', 'family_voice');
  });
  afterAll(() => testApp?.close());

  it('shows a secondment shared with a neighbouring council at 50% at half its cost against the line', async () => {
    await created(council.as.programme_lead, orgPath(council, '/secondments'), {
      partner: 'Integrated Care Board',
      partnerType: 'health',
      role: 'Designated Nurse for Safeguarding',
      annualCost: '64000.00',
      sharedWith: 'Neighbouring Metropolitan Borough Council',
      costShare: '0.5',
      status: 'in_post',
      startDate: '2025-04-01',
      commitmentId: lines['2'],
    });
    const line = await lineOf('2');
    expect(line.items).toEqual([expect.objectContaining({ kind: 'secondment', annualCost: '64000.00', costShare: '0.5000', days: 365, cost: '32000.00', counted: true })]);
    expect(line).toMatchObject({ amount: '150000.00', fundedCost: '32000.00', difference: '118000.00', result: 'under', flagged: true });
    const secondment = (await council.as.reader.get(orgPath(council, '/secondments'))).body.items[0];
    expect(secondment).toMatchObject({ annualCost: '64000.00', costShare: '0.5000', councilAnnualCost: '32000.00' });
  });

  it('flags a line whose posts cost more than it holds', async () => {
    await created(council.as.programme_lead, orgPath(council, '/posts'), {
      title: 'Post-SGO Support Worker',
      headcount: 2,
      annualCost: '78000.00',
      status: 'recruiting',
      commitmentId: lines['4'],
    });
    const line = await lineOf('4');
    expect(line).toMatchObject({ amount: '63000.00', fundedCost: '78000.00', difference: '-15000.00', result: 'over', flagged: true });
    expect(line.items[0].notes).toEqual(['no start date: counted from 2025-04-01']);
  });

  it('pro-rates posts by the days they run within the financial year', async () => {
    const lead = council.as.programme_lead;
    // 1 September 2025 to 31 March 2026 is 212 of 365 days; 13 October is 170.
    await created(lead, orgPath(council, '/posts'), {
      title: 'Strategic Programme Lead',
      headcount: 1,
      annualCost: '73000.00',
      status: 'in_post',
      startDate: '2025-09-01',
      commitmentId: lines['1'],
    });
    await created(lead, orgPath(council, '/posts'), {
      title: 'Participation Lead',
      headcount: 1,
      annualCost: '45000.00',
      status: 'in_post',
      startDate: '2025-10-13',
      commitmentId: lines['1'],
    });
    // Ends 30 June 2025: 91 days.
    await created(lead, orgPath(council, '/posts'), {
      title: 'Interim Programme Manager',
      headcount: 1,
      annualCost: '36500.00',
      status: 'ended',
      startDate: '2025-01-06',
      endDate: '2025-06-30',
      commitmentId: lines['1'],
    });
    // Starts after the year: nothing this year.
    await created(lead, orgPath(council, '/posts'), {
      title: 'Data Analyst',
      headcount: 1,
      annualCost: '40000.00',
      status: 'planned',
      startDate: '2026-05-01',
      commitmentId: lines['1'],
    });
    // An unfilled post costs nothing.
    await created(lead, orgPath(council, '/posts'), { title: 'Project Officer', headcount: 1, annualCost: '30000.00', status: 'unfilled', commitmentId: lines['1'] });

    const line = await lineOf('1');
    const costs = Object.fromEntries(line.items.map((item: { title: string; days: number; cost: string }) => [item.title, [item.days, item.cost]]));
    expect(costs).toEqual({
      'Strategic Programme Lead': [212, '42400.00'],
      'Participation Lead': [170, '20958.90'],
      'Interim Programme Manager': [91, '9100.00'],
      'Data Analyst': [0, '0.00'],
      'Project Officer': [0, '0.00'],
    });
    expect(line.items.find((item: { title: string }) => item.title === 'Project Officer')).toMatchObject({ counted: false, notes: ['not counted: unfilled'] });
    expect(line.items.find((item: { title: string }) => item.title === 'Data Analyst').notes).toEqual(['runs outside this financial year']);
    expect(line).toMatchObject({ fundedCost: '72458.90', difference: '263218.10', result: 'under', flagged: true });
  });

  it('agrees when the cost matches to the penny, and leaves lines funding no one uncompared', async () => {
    await created(council.as.programme_lead, orgPath(council, '/posts'), {
      title: 'Family Support Worker',
      headcount: 3,
      fte: '2.5',
      annualCost: '32579.00',
      status: 'in_post',
      startDate: '2025-04-01',
      endDate: '2026-03-31',
      commitmentId: lines['8'],
    });
    const result = await reconciliation();
    expect(result.lines.find((l: { ref: string }) => l.ref === '8')).toMatchObject({ fundedCost: '32579.00', difference: '0.00', result: 'agrees', flagged: false });
    expect(result.lines.find((l: { ref: string }) => l.ref === '13')).toMatchObject({ fundedCost: '0.00', result: 'no_staff', flagged: false, items: [] });
    expect(result).toMatchObject({ financialYear: '2025-26', period: { from: '2025-04-01', to: '2026-03-31', days: 365 }, tolerance: '0.00' });
    expect(result.flaggedLines).toBe(result.lines.filter((l: { flagged: boolean }) => l.flagged).length);
  });

  it('flags a tbc line that funds staff, and a withdrawn line that still does', async () => {
    const lead = council.as.programme_lead;
    await created(lead, orgPath(council, '/posts'), { title: 'Systems Analyst', headcount: 1, annualCost: '50000.00', status: 'planned', commitmentId: lines['12'] });
    expect(await lineOf('12')).toMatchObject({ amount: null, fundedCost: '50000.00', difference: null, result: 'tbc', flagged: true });

    const withdrawable = (await createLine(council.as.finance, grantId, { title: 'Pilot', category: 'family_help_delivery', amount: '1000' })).id;
    await created(lead, orgPath(council, '/posts'), { title: 'Pilot Worker', headcount: 1, annualCost: '1000.00', status: 'planned', commitmentId: withdrawable });
    expect((await council.as.finance.post(`/api/v1/commitments/${withdrawable}/withdraw`)).status).toBe(200);
    const withdrawn = (await reconciliation()).lines.find((l: { commitmentId: string }) => l.commitmentId === withdrawable);
    expect(withdrawn).toMatchObject({ status: 'withdrawn', result: 'withdrawn', flagged: true });

    const before = await rowCounts(testApp);
    const refused = await lead.post(orgPath(council, '/posts'), { title: 'Late Worker', headcount: 1, annualCost: '1.00', status: 'planned', commitmentId: withdrawable });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'commitmentId', message: 'is a withdrawn line' }]);
    expect(await rowCounts(testApp)).toEqual(before);
  });

  it('answers 404 for a grant of another organisation', async () => {
    const other = await createOrganisation(testApp, 'Other Council');
    expect((await other.as.reader.get(`/api/v1/grants/${grantId}/reconciliation`)).status).toBe(404);
  });
});
