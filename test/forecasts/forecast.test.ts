import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForecast } from '../../src/forecasts/outturn.ts';
import { forecastSchema } from '../../src/forecasts/schemas.ts';
import { Decimal, formatMoney } from '../../src/shared/money.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

const pence = (money: string) => Math.round(Number(money) * 100);

/** Every view's outturn is its actual plus its remaining, to the penny, and the parts add up. */
function expectOutturnsAddUp(forecast: any) {
  const views = [forecast, ...forecast.categories, ...forecast.headings, ...forecast.lines];
  for (const view of views) expect(pence(view.forecastOutturn)).toBe(pence(view.actualToDate) + pence(view.forecastRemaining));
  const sum = (items: any[], field: string) => items.reduce((total, item) => total + pence(item[field]), 0);
  expect(sum(forecast.categories, 'forecastOutturn')).toBe(pence(forecast.forecastOutturn));
  expect(sum(forecast.headings, 'forecastOutturn')).toBe(pence(forecast.forecastOutturn));
  expect(sum(forecast.lines, 'forecastOutturn')).toBe(pence(forecast.forecastOutturn));
  expect(sum(forecast.months, 'forecast')).toBe(pence(forecast.forecastRemaining));
  expect(pence(forecast.variance)).toBe(pence(forecast.allocation) - pence(forecast.forecastOutturn));
}

/**
 * A 2025-26 grant of £100,000 (transformation capped at 30%, £30,000):
 *   A transformation £20,000, funding one post in post from 1 October at £36,000 a year
 *   B family help £12,000, spend £1,000 on 10 June and a £200 correction on 1 July
 *   C family voice tbc; D practice £5,000, withdrawn
 */
describe('forecast outturn', () => {
  const clock = settableClock('2025-11-15T12:00:00Z');
  let testApp: TestApp;
  let council: TestOrganisation;
  let other: TestOrganisation;
  let grantId: string;
  let postId: string;
  const ids = {} as Record<'A' | 'B' | 'C' | 'D', string>;
  // The route prints its body itself (forecastJson): every body read here must match the whole schema.
  const forecast = async (query = '') => {
    const response = await council.as.reader.get(`/api/v1/grants/${grantId}/forecast${query}`);
    if (response.status === 200) forecastSchema.parse(response.body);
    return response;
  };

  beforeAll(async () => {
    testApp = await startTestApp({ clock });
    council = await createOrganisation(testApp, 'Forecast Council');
    other = await createOrganisation(testApp, 'Other Council');
    grantId = (await createGrant(council, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    const { finance } = council.as;
    ids.A = (await createLine(finance, grantId, { title: 'Programme team', category: 'transformation', amount: '20000.00', committedOn: '2025-04-10' })).id;
    ids.B = (await createLine(finance, grantId, { title: 'Family hubs', category: 'family_help_delivery', amount: '12000.00', committedOn: '2025-04-10' })).id;
    ids.C = (await createLine(finance, grantId, { title: 'Voice work', category: 'family_voice', amount: null, committedOn: '2025-04-10' })).id;
    ids.D = (await createLine(finance, grantId, { title: 'ICT', category: 'practice_workforce_ict', amount: '5000.00', committedOn: '2025-04-10' })).id;
    expect((await finance.post(`/api/v1/commitments/${ids.D}/withdraw`)).status).toBe(200);
    for (const [amount, spentOn] of [
      ['1000.00', '2025-06-10'],
      ['-200.00', '2025-07-01'],
    ] as const) {
      expect((await finance.post(`/api/v1/commitments/${ids.B}/spend`, { amount, spentOn })).status).toBe(201);
    }
    const post = await council.as.programme_lead.post(`/api/v1/organisations/${council.id}/posts`, {
      title: 'Programme Lead',
      headcount: 1,
      annualCost: '36000.00',
      status: 'in_post',
      startDate: '2025-10-01',
      commitmentId: ids.A,
    });
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    postId = post.body.id;
  });
  afterAll(() => testApp?.close());

  it('forecasts a line funded by one post in post from 1 October at £36,000 a year at £18,000, October to March', async () => {
    const profile = await council.as.reader.get(`/api/v1/commitments/${ids.A}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.body.source).toBe('posts');
    expect(profile.body.months.map((m: { amount: string }) => m.amount)).toEqual([
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '3000.00',
      '3000.00',
      '3000.00',
      '3000.00',
      '3000.00',
      '3000.00',
    ]);
    const early = (await forecast('?on=2025-04-30')).body;
    expect(early.lines.find((l: { id: string }) => l.id === ids.A)).toMatchObject({ actualToDate: '0.00', forecastOutturn: '18000.00', source: 'posts' });
    expect(early).toMatchObject({ on: '2025-04-30', period: 'P1' });
  });

  it('counts spend and corrections to the day as actual, spreads the unspent amount evenly, and forecasts nothing for tbc and withdrawn lines', async () => {
    const response = await forecast('?on=2025-09-30');
    expect(response.status).toBe(200);
    const body = response.body;
    expectOutturnsAddUp(body);
    const line = (id: string) => body.lines.find((l: { id: string }) => l.id === id);
    // B: £800 actual; £11,200 over October to March.
    expect(line(ids.B)).toMatchObject({ actualToDate: '800.00', forecastRemaining: '11200.00', forecastOutturn: '12000.00', source: 'even' });
    expect(line(ids.C)).toMatchObject({ forecastOutturn: '0.00' });
    expect(line(ids.D)).toMatchObject({ forecastOutturn: '0.00' });
    expect(body).toMatchObject({ period: 'P6', allocation: '100000.00', actualToDate: '800.00', forecastRemaining: '29200.00', forecastOutturn: '30000.00', variance: '70000.00' });
    expect(body.months.find((m: { month: string }) => m.month === '2025-06')).toEqual({ month: '2025-06', actual: '1000.00', forecast: '0.00' });
    expect(body.months.find((m: { month: string }) => m.month === '2025-07')).toEqual({ month: '2025-07', actual: '-200.00', forecast: '0.00' });
    expect(body.months.find((m: { month: string }) => m.month === '2026-03')).toEqual({ month: '2026-03', actual: '0.00', forecast: '4866.70' });
    expect(body.categories.find((c: { code: string }) => c.code === 'transformation')).toMatchObject({
      forecastOutturn: '18000.00',
      cap: '30000.00',
      forecastHeadroom: '10000.00',
    });
    expect(body.headings.reduce((n: number, h: { forecastOutturn: string }) => n + pence(h.forecastOutturn), 0)).toBe(3000000);
    expect(body.warnings.map((w: { code: string }) => w.code)).toEqual(['forecast-underspend']);
  });

  it('lets an entered profile override the posts, and an empty one go back to them', async () => {
    const put = await council.as.finance.put(`/api/v1/commitments/${ids.A}/profile`, {
      months: [
        { month: '2025-12', amount: '5000.00' },
        { month: '2026-01', amount: 1500.5 },
      ],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.source).toBe('entered');
    expect(put.body.months[8]).toEqual({ month: '2025-12', amount: '5000.00' });
    const body = (await forecast('?on=2025-04-30')).body;
    expect(body.lines.find((l: { id: string }) => l.id === ids.A)).toMatchObject({ forecastOutturn: '6500.50', source: 'entered' });
    expectOutturnsAddUp(body);
    const cleared = await council.as.finance.put(`/api/v1/commitments/${ids.A}/profile`, { months: [] });
    expect(cleared.body.source).toBe('posts');
  });

  it('refuses months outside the year, amounts that are not money, a withdrawn line and an on outside the year, saving nothing', async () => {
    const path = `/api/v1/commitments/${ids.A}/profile`;
    const outside = await council.as.finance.put(path, {
      months: [
        { month: '2025-05', amount: '1.00' },
        { month: '2026-04', amount: '1.00' },
      ],
    });
    expect(outside.status).toBe(400);
    expect(outside.body.errors).toEqual([expect.objectContaining({ path: 'months.1.month' })]);
    const twice = await council.as.finance.put(path, {
      months: [
        { month: '2025-05', amount: '1.00' },
        { month: '2025-05', amount: '2.00' },
      ],
    });
    expect(twice.body.errors).toEqual([expect.objectContaining({ path: 'months.1.month' })]);
    const money = await council.as.finance.put(path, { months: [{ month: '2025-05', amount: '1.234' }] });
    expect(money.status).toBe(400);
    expect(money.body.errors[0].path).toBe('months.0.amount');
    const badMonth = await council.as.finance.put(path, { months: [{ month: '2025-13', amount: '1.00' }] });
    expect(badMonth.body.errors[0].path).toBe('months.0.month');
    const withdrawn = await council.as.finance.put(`/api/v1/commitments/${ids.D}/profile`, { months: [{ month: '2025-05', amount: '1.00' }] });
    expect(withdrawn.status).toBe(422);
    expect(withdrawn.body.type).toMatch(/invalid-state$/);
    expect((await council.as.reader.get(path)).body.source).toBe('posts');

    const late = await forecast('?on=2026-04-01');
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ field: 'on', financialYear: '2025-26' });
    expect((await forecast('?on=2025-02-30')).status).toBe(400);
    const assume = await forecast('?assume=later:1');
    expect(assume.status).toBe(400);
    expect(assume.body.errors[0].path).toBe('assume');
  });

  it('shows what if a post starts a month later or a line is withdrawn, saving nothing', async () => {
    const delayed = (await forecast(`?on=2025-04-30&assume=delay:${postId}:1`)).body;
    expect(delayed.assumed).toBe(true);
    expect(delayed.lines.find((l: { id: string }) => l.id === ids.A).forecastOutturn).toBe('15000.00');
    expectOutturnsAddUp(delayed);
    const withdrawn = (await forecast(`?on=2025-09-30&assume=withdraw:${ids.B}`)).body;
    expect(withdrawn.lines.find((l: { id: string }) => l.id === ids.B)).toMatchObject({ actualToDate: '800.00', forecastOutturn: '800.00' });
    const plain = (await forecast('?on=2025-04-30')).body;
    expect(plain.assumed).toBe(false);
    expect(plain.lines.find((l: { id: string }) => l.id === ids.A).forecastOutturn).toBe('18000.00');
    const unknown = await forecast('?assume=withdraw:00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('assume');
  });

  it("warns when a capped category's forecast passes its cap, and when the underspend passes the organisation's threshold", async () => {
    const E = await createLine(council.as.finance, grantId, { title: 'Change team', category: 'transformation', amount: '9000.00', committedOn: '2025-04-10' });
    const put = await council.as.finance.put(`/api/v1/commitments/${E.id}/profile`, {
      months: ['2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'].map((month) => ({
        month,
        amount: '1000.00',
      })),
    });
    expect(put.status).toBe(200);
    const body = (await forecast('?on=2025-04-30')).body;
    // A takes max(£20,000, £18,000), E max(£9,000, £11,000): £31,000 against £30,000.
    expect(body.categories.find((c: { code: string }) => c.code === 'transformation')).toMatchObject({ forecastExposure: '31000.00', forecastHeadroom: '-1000.00' });
    expect(body.warnings.map((w: { code: string }) => w.code)).toEqual(['forecast-underspend', 'forecast-cap-breach']);

    expect((await council.as.finance.put(`/api/v1/organisations/${council.id}/forecast-settings`, { underspendThreshold: '0.9' })).status).toBe(403);
    const set = await council.as.admin.put(`/api/v1/organisations/${council.id}/forecast-settings`, { underspendThreshold: '0.9' });
    expect(set.body).toEqual({ underspendThreshold: '0.9000' });
    expect((await forecast('?on=2025-04-30')).body.warnings.map((w: { code: string }) => w.code)).toEqual(['forecast-cap-breach']);
    expect((await council.as.admin.put(`/api/v1/organisations/${council.id}/forecast-settings`, { underspendThreshold: '1.5' })).status).toBe(400);
    expect((await council.as.reader.get(`/api/v1/organisations/${council.id}/forecast-settings`)).body).toEqual({ underspendThreshold: '0.9000' });
    expect((await council.as.finance.put(`/api/v1/commitments/${E.id}/profile`, { months: [] })).status).toBe(200);
  });

  it('keeps a forecast per period and shows its movement the next period', async () => {
    const first = await council.as.finance.post(`/api/v1/grants/${grantId}/forecasts`, { commentary: 'Hubs on plan.' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ period: 'P8', on: '2025-11-15', movement: null, commentary: 'Hubs on plan.' });
    expect(pence(first.body.variance)).toBe(pence(first.body.allocation) - pence(first.body.forecastOutturn));
    const current = (await forecast()).body;
    expect(current.forecastOutturn).toBe(first.body.forecastOutturn);

    clock.set('2025-12-10T12:00:00Z');
    expect((await council.as.finance.post(`/api/v1/commitments/${ids.B}/spend`, { amount: '3000.00', spentOn: '2025-12-05' })).status).toBe(201);
    const second = await council.as.finance.post(`/api/v1/grants/${grantId}/forecasts`);
    expect(second.status).toBe(201);
    const list = (await council.as.reader.get(`/api/v1/grants/${grantId}/forecasts`)).body.items;
    expect(list.map((i: { period: string }) => i.period)).toEqual(['P8', 'P9']);
    expect(pence(list[1].movement)).toBe(pence(list[1].forecastOutturn) - pence(list[0].forecastOutturn));
    // B's £3,000 in December is ahead of its even spread: B's outturn rises by what was paid beyond December's share.
    expect(list[1].movement).not.toBe('0.00');
    expect(list[1].commentary).toBeNull();
    clock.set('2025-11-15T12:00:00Z');
  });

  it('adds forecast outturn and variance to the committee table with forecast=true, from the same forecast', async () => {
    const table = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/cabinet-table?forecast=true`);
    expect(table.status, JSON.stringify(table.body)).toBe(200);
    const made = (await forecast()).body;
    expect(table.body).toMatchObject({ forecastOutturn: made.forecastOutturn, variance: made.variance });
    const lineB = table.body.groups.flatMap((g: { lines: unknown[] }) => g.lines).find((l: { title: string }) => l.title === 'Family hubs');
    const madeB = made.lines.find((l: { id: string }) => l.id === ids.B);
    expect(lineB).toMatchObject({ forecastOutturn: madeB.forecastOutturn, variance: (12000 - Number(madeB.forecastOutturn)).toFixed(2) });
    const plain = (await council.as.reader.get(`/api/v1/grants/${grantId}/reports/cabinet-table`)).body;
    expect(plain.forecastOutturn).toBeUndefined();
    const past = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/cabinet-table?forecast=true&asAt=2025-11-14`);
    expect(past.status).toBe(400);
    expect(past.body.errors[0].path).toBe('forecast');
  });

  it('hides every forecast route from another council (404) and keeps readers from writing (403)', async () => {
    const stranger = other.as.admin;
    expect((await stranger.get(`/api/v1/commitments/${ids.A}/profile`)).status).toBe(404);
    expect((await stranger.put(`/api/v1/commitments/${ids.A}/profile`, { months: [] })).status).toBe(404);
    expect((await stranger.get(`/api/v1/grants/${grantId}/forecast`)).status).toBe(404);
    expect((await stranger.get(`/api/v1/grants/${grantId}/forecasts`)).status).toBe(404);
    expect((await stranger.post(`/api/v1/grants/${grantId}/forecasts`, {})).status).toBe(404);
    expect((await stranger.get(`/api/v1/organisations/${council.id}/forecast-settings`)).status).toBe(404);
    expect((await stranger.put(`/api/v1/organisations/${council.id}/forecast-settings`, { underspendThreshold: '0.1' })).status).toBe(404);

    const reader = council.as.reader;
    expect((await reader.put(`/api/v1/commitments/${ids.A}/profile`, { months: [] })).status).toBe(403);
    expect((await reader.post(`/api/v1/grants/${grantId}/forecasts`, {})).status).toBe(403);
    expect((await reader.put(`/api/v1/organisations/${council.id}/forecast-settings`, { underspendThreshold: '0.1' })).status).toBe(403);
    expect((await council.as.reader.get(`/api/v1/commitments/${ids.A}/profile`)).body.source).toBe('posts');
  });

  it("works each line's figures, the categories, the months and the warnings in SQL exactly as the model does (buildForecast)", async () => {
    const { finance } = council.as;
    // An overspent line, odd pennies to spread, an entered profile straddling the day, a tbc line with spend.
    const E = await createLine(finance, grantId, { title: 'Overspent', category: 'family_help_delivery', amount: '1000.00', committedOn: '2025-04-10' });
    const F = await createLine(finance, grantId, { title: 'Odd pennies', category: 'family_voice', amount: '1000.01', committedOn: '2025-04-10' });
    const G = await createLine(finance, grantId, { title: 'Entered', category: 'family_voice', amount: '4000.00', committedOn: '2025-04-10' });
    for (const [id, amount, spentOn] of [
      [E.id, '1500.00', '2025-05-02'],
      [F.id, '0.03', '2025-08-20'],
      [ids.C, '250.00', '2025-07-07'],
    ] as const) {
      expect((await finance.post(`/api/v1/commitments/${id}/spend`, { amount, spentOn })).status).toBe(201);
    }
    const months = [
      { month: '2025-06', amount: '700.00' },
      { month: '2026-02', amount: '1234.56' },
    ];
    expect((await finance.put(`/api/v1/commitments/${G.id}/profile`, { months })).status).toBe(200);
    for (const today of ['2025-04-01', '2025-11-15', '2026-02-28', '2026-03-31']) {
      clock.set(`${today}T12:00:00Z`);
      const made = (await forecast()).body;
      const lines = await Promise.all(
        made.lines.map(async (line: { id: string; ref: string; title: string; category: string; actualToDate: string }) => {
          const profile = (await council.as.reader.get(`/api/v1/commitments/${line.id}/profile`)).body;
          const record = (await council.as.reader.get(`/api/v1/commitments/${line.id}`)).body;
          return {
            id: line.id,
            ref: line.ref,
            title: line.title,
            categoryId: line.category,
            status: record.status,
            amount: record.amount === null ? null : new Decimal(record.amount),
            actualToDate: new Decimal(line.actualToDate),
            profile: { source: profile.source, months: profile.months.map((m: { amount: string }) => new Decimal(m.amount)) },
          };
        }),
      );
      const model = buildForecast({
        financialYear: '2025-26',
        on: today,
        allocation: new Decimal(made.allocation),
        underspendThreshold: new Decimal('0.9'),
        categories: made.categories.map((c: { code: string; name: string; heading: string; cap: string | null }) => ({
          categoryId: c.code,
          code: c.code,
          name: c.name,
          heading: c.heading,
          cap: c.cap === null ? null : new Decimal(c.cap),
        })),
        headings: made.headings.map((h: { heading: string; label: string }) => ({ code: h.heading, label: h.label })),
        lines,
        actualByMonth: new Map(made.months.map((m: { month: string; actual: string }) => [m.month, new Decimal(m.actual)])),
      });
      const money = (value: Decimal | null) => (value === null ? null : formatMoney(value));
      const outturn = (o: { actualToDate: Decimal; forecastRemaining: Decimal; forecastOutturn: Decimal }) => ({
        actualToDate: money(o.actualToDate),
        forecastRemaining: money(o.forecastRemaining),
        forecastOutturn: money(o.forecastOutturn),
      });
      expect(made, today).toMatchObject({ ...outturn(model), variance: money(model.variance) });
      expect(made.lines).toEqual(model.lines.map((l) => ({ id: l.id, ref: l.ref, title: l.title, category: l.category, ...outturn(l), source: l.source })));
      expect(made.categories).toEqual(
        model.categories.map((c) => ({
          code: c.code,
          name: c.name,
          heading: c.heading,
          ...outturn(c),
          cap: money(c.cap),
          forecastExposure: money(c.forecastExposure),
          forecastHeadroom: money(c.forecastHeadroom),
        })),
      );
      expect(made.headings).toEqual(model.headings.map((h) => ({ heading: h.heading, label: h.label, ...outturn(h) })));
      expect(made.months).toEqual(model.months.map((m) => ({ month: m.month, actual: money(m.actual), forecast: money(m.forecast) })));
      expect(made.warnings).toEqual(model.warnings.map((w) => ({ code: w.code, message: w.message, ...(w.category === undefined ? {} : { category: w.category }) })));
    }
    clock.set('2025-11-15T12:00:00Z');
  });
});
