import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { financialYearOf, quarterOf } from '../../src/shared/calendar.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

describe('quarters and financial years', () => {
  it.each([
    ['2025-04-01', '2025-26', 'Q1'],
    ['2025-06-30', '2025-26', 'Q1'],
    ['2025-07-01', '2025-26', 'Q2'],
    ['2025-09-30', '2025-26', 'Q2'],
    ['2025-10-01', '2025-26', 'Q3'],
    ['2025-12-31', '2025-26', 'Q3'],
    ['2026-01-01', '2025-26', 'Q4'],
    ['2026-03-31', '2025-26', 'Q4'],
    ['2026-04-01', '2026-27', 'Q1'],
    ['1999-12-31', '1999-00', 'Q3'],
  ])('%s is %s %s', (date, year, quarter) => {
    expect(financialYearOf(date)).toBe(year);
    expect(quarterOf(date)).toBe(quarter);
  });
});

describe('money and dates through the API', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  let lineId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
    grantId = (await createGrant(council, [{ amount: '900000000000.00', description: 'Large', status: 'confirmed' }])).id;
    lineId = (await createLine(council.as.finance, grantId, { title: 'Delivery', category: 'family_help_delivery', amount: '100.00' })).id;
  });
  afterAll(() => testApp?.close());

  it('adds 0.10 and 0.20 to exactly 0.30', async () => {
    const grant = await createGrant(council, [{ amount: '0.10', description: 'a', status: 'confirmed' }], '2040-41');
    const second = await council.as.finance.post(`/api/v1/grants/${grant.id}/tranches`, { amount: 0.2, description: 'b', status: 'confirmed' });
    expect(second.status).toBe(201);
    expect(second.body.allocation).toBe('0.30');
  });

  it.each([
    ['a three-decimal string', '12.345'],
    ['a three-decimal number', 12.345],
    ['an exponent', '1e3'],
    ['an exponent number too small to print plainly', 1e-7],
    ['an empty string', ''],
    ['NaN as text', 'NaN'],
    ['Infinity as text', 'Infinity'],
    ['a float sum', 0.1 + 0.2],
    ['thousands separators', '1,000.00'],
    ['a pound sign', '£10'],
    ['past NUMERIC(14,2)', '1000000000000.00'],
    ['a huge number', 1e21],
    ['a boolean', true],
    ['an object', { value: 1 }],
  ])('refuses %s as an amount with a 400 naming the field', async (_label, amount) => {
    const response = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'Bad', category: 'family_help_delivery', amount });
    expect(response.status).toBe(400);
    expect(response.body.type).toMatch(/\/problems\/validation$/);
    expect(response.body.errors).toEqual([{ path: 'amount', message: expect.any(String) }]);
  });

  it.each([
    ['a JSON number with two decimals', 85772.5, '85772.50'],
    ['a whole number', 85772, '85772.00'],
    ['a string with one decimal', '0.5', '0.50'],
    ['the largest NUMERIC(14,2)', '999999999999.99', '999999999999.99'],
  ])('accepts %s', async (_label, amount, expected) => {
    const response = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'Ok', category: 'family_help_delivery', amount });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.amount).toBe(expected);
  });

  it('refuses negative line amounts but takes negative spend as a correction', async () => {
    const negativeLine = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'x', category: 'family_help_delivery', amount: '-1.00' });
    expect(negativeLine.status).toBe(400);
    expect((await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '40.00', spentOn: '2025-05-01' })).status).toBe(201);
    const credit = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: -15, spentOn: '2025-11-01' });
    expect(credit.status).toBe(201);
    expect(credit.body).toMatchObject({ amount: '-15.00', quarter: 'Q3', financialYear: '2025-26' });
    const tooMuchCredit = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '-25.01', spentOn: '2025-11-02' });
    expect(tooMuchCredit.status).toBe(422);
    expect(tooMuchCredit.body.type).toMatch(/invalid-state$/);
    const zero = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '0.00', spentOn: '2025-11-02' });
    expect(zero.status).toBe(400);
    const line = await council.as.reader.get(`/api/v1/commitments/${lineId}`);
    expect(line.body.spent).toBe('25.00');
  });

  it.each([
    ['2025-04-01', 201, 'Q1'],
    ['2025-06-30', 201, 'Q1'],
    ['2025-07-01', 201, 'Q2'],
    ['2026-03-31', 201, 'Q4'],
    ['2026-04-01', 422, null],
    ['2025-03-31', 422, null],
  ])('spend dated %s gets %s', async (spentOn, status, quarter) => {
    const response = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '1.00', spentOn });
    expect(response.status).toBe(status);
    if (quarter) expect(response.body.quarter).toBe(quarter);
    else expect(response.body).toMatchObject({ type: expect.stringMatching(/outside-financial-year$/), financialYear: '2025-26', firstDay: '2025-04-01', lastDay: '2026-03-31' });
  });

  it.each(['2025-02-30', '2025-13-01', '01/04/2025', '2025-4-1', ''])('refuses the impossible date %j', async (spentOn) => {
    const response = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '1.00', spentOn });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'spentOn', message: expect.any(String) }]);
  });

  it('lists every bad field in one 400 and writes nothing', async () => {
    const before = (await council.as.reader.get(`/api/v1/grants/${grantId}/commitments`)).body.items.length;
    const response = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, {
      title: '',
      category: 'transformation',
      amount: '1.234',
      status: 'maybe',
      colour: 'blue',
    });
    expect(response.status).toBe(400);
    const paths = response.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['amount', 'colour', 'status', 'title']);
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts|SELECT|INSERT/);
    expect((await council.as.reader.get(`/api/v1/grants/${grantId}/commitments`)).body.items.length).toBe(before);
  });

  it('refuses a body that is not JSON with a 400 problem', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/grants/${grantId}/commitments`,
      headers: { authorization: (await tokenHeader()) ?? '', 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
  });

  async function tokenHeader(): Promise<string | null> {
    const issued = await council.as.admin.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'raw', organisationId: council.id });
    return `Bearer ${issued.body.token}`;
  }
});
