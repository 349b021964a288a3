import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCabinetTable } from '../../src/reports/cabinet-table/model.ts';
import { cabinetTableJson } from '../../src/reports/cabinet-table/json.ts';
import { readGrantFigures } from '../../src/figures/service.ts';
import { findGrant } from '../../src/grants/repository.ts';
import { loadCommitteeLines } from '../../src/reports/service.ts';
import { formatMoney, sumDecimals, ZERO } from '../../src/shared/money.ts';
import type { AsAt } from '../../src/figures/as-at.ts';
import { summariseGrant } from '../../src/summary/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A 2025-26 grant whose lines were committed in different quarters, with spend dated around
 * them: a period's figures count the lines committed by its last day and the spend dated by it.
 *   A transformation £100,000 committed 1 May (Q1); spend £10,000 on 1 June, £2,000 on 1 October
 *   B family help £200,000 committed 1 November (Q3); spend £5,000 on 15 September (before its date)
 *   C family voice tbc, committed 1 August (Q2)
 *   D practice and ICT £50,000 committed 10 July (Q2), then withdrawn
 */
describe("a period's figures", () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  const ids: Record<string, string> = {};
  const db = () => testApp.database.handle.db;
  const dfe = (query: string) => council.as.reader.get(`/api/v1/grants/${grantId}/reports/dfe-return?${query}`);
  const table = (query: string) => council.as.reader.get(`/api/v1/grants/${grantId}/reports/cabinet-table?${query}`);

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Period Council');
    grantId = (await createGrant(council, [{ amount: '1000000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    const { finance } = council.as;
    ids.A = (await createLine(finance, grantId, { title: 'Team', category: 'transformation', amount: '100000.00', committedOn: '2025-05-01' })).id;
    ids.B = (await createLine(finance, grantId, { title: 'Family hubs', category: 'family_help_delivery', amount: '200000.00', committedOn: '2025-11-01' })).id;
    ids.C = (await createLine(finance, grantId, { title: 'Voice work', category: 'family_voice', amount: null, committedOn: '2025-08-01' })).id;
    ids.D = (await createLine(finance, grantId, { title: 'ICT', category: 'practice_workforce_ict', amount: '50000.00', committedOn: '2025-07-10' })).id;
    expect((await finance.post(`/api/v1/commitments/${ids.D}/withdraw`)).status).toBe(200);
    for (const [line, amount, spentOn] of [
      ['A', '10000.00', '2025-06-01'],
      ['A', '2000.00', '2025-10-01'],
      ['B', '5000.00', '2025-09-15'],
    ] as const) {
      expect((await finance.post(`/api/v1/commitments/${ids[line]}/spend`, { amount, spentOn })).status).toBe(201);
    }
  });
  afterAll(() => testApp?.close());

  it("leaves a line committed in Q3 out of the Q2 return's committed figures, while spend dated in Q2 counts", async () => {
    const q2 = (await dfe('quarter=Q2')).body;
    expect(q2.total).toEqual({ committed: '100000.00', spentInQuarter: '5000.00', spentToDate: '15000.00', forecast: expect.any(Object) });
    const delivery = q2.headings.find((h: { heading: string }) => h.heading === 'service_delivery');
    expect(delivery).toMatchObject({ committed: '0.00', spentInQuarter: '5000.00', spentToDate: '5000.00' });
    expect(q2.transformationShare).toBe('0.1000');

    const q3 = (await dfe('quarter=Q3')).body;
    expect(q3.total).toEqual({ committed: '300000.00', spentInQuarter: '2000.00', spentToDate: '17000.00', forecast: expect.any(Object) });
    const q1 = (await dfe('quarter=Q1')).body;
    expect(q1.total).toEqual({ committed: '100000.00', spentInQuarter: '10000.00', spentToDate: '10000.00', forecast: expect.any(Object) });
  });

  it('lists on the committee table ?on= only the lines committed by that day, a withdrawn line never', async () => {
    const all = (await table('')).body;
    expect(all).toMatchObject({ total: '300000.00', lines: 3, tbcLines: 1, on: null });

    const byQ2 = await table('on=2025-09-30');
    expect(byQ2.status).toBe(200);
    expect(byQ2.body).toMatchObject({ total: '100000.00', balance: '900000.00', lines: 2, tbcLines: 1, on: '2025-09-30' });
    expect(byQ2.body.groups.flatMap((g: { lines: { title: string }[] }) => g.lines.map((l) => l.title))).toEqual(['Team', 'Voice work']);

    const early = (await table('on=2025-04-30')).body;
    expect(early).toMatchObject({ total: '0.00', lines: 0, groups: [] });

    const markdown = await table('on=2025-09-30&format=md');
    expect(markdown.body).toContain('lines committed by 30 September 2025');
    expect(markdown.headers['content-disposition']).toContain('committed-by-2025-09-30');

    const bad = await table('on=2025-13-01');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('on');
  });

  it('agrees with the summary per category, and its lines and quarters add up to its totals', async () => {
    const grant = (await findGrant(db(), council.id, grantId))!;
    const [summary, figures] = await Promise.all([
      summariseGrant(db(), council.id, grantId),
      readGrantFigures(db(), grant, { before: null, on: null }, { lines: true, quartersOf: grant.financialYear }),
    ]);
    for (const category of summary.categories) {
      const own = figures.categories.get(grant.categories.find((c) => c.code === category.code)!.categoryId)!;
      expect({ committed: formatMoney(own.committed), spent: formatMoney(own.spent), exposure: formatMoney(own.exposure), lines: own.lines, tbcLines: own.tbcLines }).toEqual({
        committed: formatMoney(category.committed),
        spent: formatMoney(category.spent),
        exposure: formatMoney(category.exposure),
        lines: category.lines,
        tbcLines: category.tbcLines,
      });
      expect(formatMoney(sumDecimals(own.quarters!))).toBe(formatMoney(own.spent));
    }
    expect(formatMoney(figures.total.committed)).toBe(formatMoney(summary.committed));
    expect(figures.total.quarters!.map(formatMoney)).toEqual(['10000.00', '5000.00', '2000.00', '0.00']);
    expect(figures.lines.map((l) => [l.ref, l.counts])).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
      ['4', false],
    ]);
    expect(formatMoney(sumDecimals(figures.lines.filter((l) => l.counts).map((l) => l.amount ?? ZERO)))).toBe('300000.00');
    expect(formatMoney(sumDecimals(figures.lines.map((l) => l.exposure)))).toBe(formatMoney(figures.total.exposure));
  });

  it('takes asAt and on together: the lines committed by the day, as the records stood at the instant', async () => {
    await pause(20);
    const captured = await sql<{ at: Date; today: string }>`SELECT clock_timestamp() AS at, (now() AT TIME ZONE 'Europe/London')::date::text AS today`.execute(db());
    const instant: AsAt = { date: captured.rows[0]!.today, before: captured.rows[0]!.at };
    await pause(20);

    // Later: line A turns out to have been approved in Q3, and a line approved in June is entered late.
    const { finance } = council.as;
    expect((await finance.patch(`/api/v1/commitments/${ids.A}`, { committedOn: '2025-10-20' })).status).toBe(200);
    await createLine(finance, grantId, { title: 'Late entry', category: 'family_voice', amount: '5000.00', committedOn: '2025-06-01' });

    const now = (await table('on=2025-09-30')).body;
    expect(now).toMatchObject({ total: '5000.00', lines: 2 });
    expect((await dfe('quarter=Q2')).body.total).toEqual({ committed: '5000.00', spentInQuarter: '5000.00', spentToDate: '15000.00', forecast: expect.any(Object) });

    const { context, committee } = await loadCommitteeLines(db(), council.id, grantId, instant, '2025-09-30');
    const then = cabinetTableJson(buildCabinetTable(context, committee));
    expect(then).toMatchObject({ total: '100000.00', lines: 2, on: '2025-09-30', asAt: instant.date });
    expect(then.groups.flatMap((g) => g.lines.map((l) => l.title))).toEqual(['Team', 'Voice work']);

    const grant = (await findGrant(db(), council.id, grantId))!;
    const figuresThen = await readGrantFigures(db(), grant, { before: instant.before, on: '2025-09-30' }, { quartersOf: grant.financialYear });
    expect(formatMoney(figuresThen.total.committed)).toBe('100000.00');
    expect(formatMoney(figuresThen.total.spent)).toBe('15000.00');

    // Over HTTP both parameters are taken together; today's end includes the later changes.
    const both = await table(`on=2025-09-30&asAt=${instant.date}`);
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ total: '5000.00', on: '2025-09-30', asAt: instant.date });
  });
});
