import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { findChainHead } from '../../src/audit/repository.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.ts';
import { ForecastParts } from '../../src/forecasts/kept-parts.ts';
import { forecastJson } from '../../src/forecasts/schemas.ts';
import { forecastGrant } from '../../src/forecasts/service.ts';
import { todayInLondon } from '../../src/shared/calendar.ts';
import { type ApiResponse, apiAs, PLATFORM_ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { freshForecast, getForecast } from './support.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * GET …/forecast keeps its body per (grant, day) and the organisation's audit chain head
 * (src/forecasts/kept-bodies.ts). Every kind of change the forecast reads must give a fresh
 * forecast: after each, the body served must equal one made afresh from the database
 * (forecastGrant, which keeps nothing), and the figure the change moves must have moved.
 */
describe('kept forecasts', () => {
  const clock = settableClock('2025-09-30T12:00:00Z');
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  let lineId: string;
  const ON = '2025-09-30';
  const today = () => todayInLondon(clock.now());

  const get = (query = `?on=${ON}`, api = council.as.reader): Promise<ApiResponse> => getForecast(api, grantId, query);
  /** The forecast made now from the database, nothing kept. */
  const fresh = (on: string | null = ON) => freshForecast(testApp.database.handle.db, council.id, grantId, on, today());
  /** Whether the body for this day at the chain head now is kept (made again it would throw). */
  const isKept = async (app: FastifyInstance, day = `on ${ON}`) => {
    const { seq } = await findChainHead(testApp.database.handle.db, council.id);
    const found = await app.keptForecasts.get({ organisationId: council.id, grantId, day }, seq, () => Promise.reject(new Error('not kept')));
    return found.kept;
  };
  const line = (body: any, id: string) => body.lines.find((l: { id: string }) => l.id === id);

  /** Reads the forecast twice (so it is kept), makes the change, and returns the forecast after it, checked against a fresh one. */
  const across = async (change: () => Promise<unknown>) => {
    const query = `?on=${ON}`;
    const before = (await get(query)).body;
    expect((await get(query)).body).toEqual(before);
    expect(await isKept(testApp.app)).toBe(true);
    await change();
    const after = (await get(query)).body;
    expect(after).toEqual(await fresh());
    expect(after).not.toEqual(before);
    return { before, after };
  };

  beforeAll(async () => {
    testApp = await startTestApp({ clock });
    council = await createOrganisation(testApp, 'Kept Forecast Council');
    grantId = (await createGrant(council, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    lineId = (await createLine(council.as.finance, grantId, { title: 'Family hubs', category: 'family_help_delivery', amount: '12000.00', committedOn: '2025-04-10' })).id;
  });
  afterAll(() => testApp?.close());

  it('answers a repeated forecast from the kept body, the same as a fresh one', async () => {
    const first = (await get()).body;
    expect(first).toEqual(await fresh());
    expect(await isKept(testApp.app)).toBe(true);
    expect((await get()).body).toEqual(first);
  });

  it('gives a fresh forecast after spend is recorded', async () => {
    const { before, after } = await across(() => council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '1000.00', spentOn: '2025-06-10' }));
    expect(line(before, lineId).actualToDate).toBe('0.00');
    expect(line(after, lineId)).toMatchObject({ actualToDate: '1000.00', forecastOutturn: '12000.00' });
  });

  it('gives a fresh forecast after a line is added, changed and withdrawn', async () => {
    let id = '';
    const added = await across(async () => {
      id = (await createLine(council.as.finance, grantId, { title: 'Voice work', category: 'family_voice', amount: '3000.00', committedOn: '2025-04-10' })).id;
    });
    expect(added.after.lines).toHaveLength(added.before.lines.length + 1);
    const changed = await across(() => council.as.finance.patch(`/api/v1/commitments/${id}`, { amount: '4500.00' }));
    expect(line(changed.after, id).forecastOutturn).toBe('4500.00');
    const withdrawn = await across(() => council.as.finance.post(`/api/v1/commitments/${id}/withdraw`));
    expect(line(withdrawn.after, id).forecastOutturn).toBe('0.00');
  });

  it('gives a fresh forecast after a profile is entered', async () => {
    const { after } = await across(() =>
      council.as.finance.put(`/api/v1/commitments/${lineId}/profile`, {
        months: [
          { month: '2025-12', amount: '2500.00' },
          { month: '2026-02', amount: '0.01' },
        ],
      }),
    );
    expect(line(after, lineId)).toMatchObject({ source: 'entered', forecastRemaining: '2500.01' });
    await council.as.finance.put(`/api/v1/commitments/${lineId}/profile`, { months: [] });
  });

  it('gives a fresh forecast after a post or a secondment is added or changed', async () => {
    const teamId = (await createLine(council.as.finance, grantId, { title: 'Programme team', category: 'transformation', amount: '20000.00', committedOn: '2025-04-10' })).id;
    const lead = council.as.programme_lead;
    let postId = '';
    const posted = await across(async () => {
      const post = await lead.post(`/api/v1/organisations/${council.id}/posts`, {
        title: 'Programme Lead',
        headcount: 1,
        annualCost: '36000.00',
        status: 'in_post',
        startDate: '2025-10-01',
        commitmentId: teamId,
      });
      expect(post.status, JSON.stringify(post.body)).toBe(201);
      postId = post.body.id;
    });
    expect(line(posted.after, teamId)).toMatchObject({ source: 'posts', forecastRemaining: '18000.00' });
    const moved = await across(async () => expect((await lead.patch(`/api/v1/organisations/${council.id}/posts/${postId}`, { startDate: '2026-01-01' })).status).toBe(200));
    expect(line(moved.after, teamId).forecastRemaining).toBe('9000.00');
    const seconded = await across(async () => {
      const secondment = await lead.post(`/api/v1/organisations/${council.id}/secondments`, {
        partner: 'Health',
        role: 'Nurse',
        annualCost: '12000.00',
        costShare: '0.5000',
        status: 'in_post',
        startDate: '2025-10-01',
        commitmentId: teamId,
      });
      expect(secondment.status, JSON.stringify(secondment.body)).toBe(201);
    });
    expect(line(seconded.after, teamId).forecastRemaining).toBe('12000.00');
  });

  it('gives a fresh forecast after a tranche is added, and after the underspend threshold changes', async () => {
    const { after } = await across(() => council.as.finance.post(`/api/v1/grants/${grantId}/tranches`, { amount: '5000.00', description: 'Top-up', status: 'confirmed' }));
    expect(after.allocation).toBe('105000.00');
    const threshold = await across(() => council.as.admin.put(`/api/v1/organisations/${council.id}/forecast-settings`, { underspendThreshold: '0.9900' }));
    expect(threshold.before.warnings.map((w: { code: string }) => w.code)).toContain('forecast-underspend');
    expect(threshold.after.warnings.map((w: { code: string }) => w.code)).not.toContain('forecast-underspend');
  });

  it('reads again only the lines a payment, an amendment, a profile, a new line or a renumbering touches, none for a cap; every line only after more changes than it follows', async () => {
    await get();
    const wholeForecast = vi.spyOn(ForecastParts, 'of');
    try {
      await across(() => council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '5.00', spentOn: '2025-05-05' }));
      await across(() => council.as.finance.patch(`/api/v1/commitments/${lineId}`, { title: 'Family hubs (renamed)' }));
      await across(() => council.as.finance.put(`/api/v1/commitments/${lineId}/profile`, { months: [{ month: '2026-01', amount: '100.00' }] }));
      await across(() => council.as.finance.put(`/api/v1/commitments/${lineId}/profile`, { months: [] }));
      const added = await across(() =>
        createLine(council.as.finance, grantId, { ref: '0', title: 'First of all', category: 'family_voice', amount: '10.00', committedOn: '2025-04-10' }),
      );
      expect(added.after.lines[0].title).toBe('First of all');
      // A number's digits: "01" before "1". A name goes where the database's collation puts it, after every number.
      const zeroOne = await across(() =>
        createLine(council.as.finance, grantId, { ref: '01', title: 'Zero one', category: 'family_voice', amount: '10.00', committedOn: '2025-04-10' }),
      );
      expect(zeroOne.after.lines.map((l: { ref: string }) => l.ref).slice(0, 3)).toEqual(['0', '01', '1']);
      await across(() => createLine(council.as.finance, grantId, { ref: 'a-1', title: 'Named', category: 'family_voice', amount: '10.00', committedOn: '2025-04-10' }));
      const renumbered = await across(() => council.as.finance.patch(`/api/v1/commitments/${lineId}`, { ref: 'zz9' }));
      expect(renumbered.after.lines.at(-1).id).toBe(lineId);
      await across(() => council.as.finance.patch(`/api/v1/commitments/${lineId}`, { ref: '1' }));
      const capped = await across(() => council.as.finance.patch(`/api/v1/grants/${grantId}/categories/family_voice`, { maxShare: '0.9000' }));
      expect(capped.after.categories.find((c: { code: string }) => c.code === 'family_voice').cap).not.toBe(
        capped.before.categories.find((c: { code: string }) => c.code === 'family_voice').cap,
      );
      expect(wholeForecast).not.toHaveBeenCalled();
      const many = await across(async () => {
        for (let i = 0; i < 501; i++) {
          const write = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '0.01', spentOn: '2025-06-01' });
          expect(write.status).toBe(201);
        }
      });
      expect(Math.round(Number(line(many.after, lineId).actualToDate) * 100) - Math.round(Number(line(many.before, lineId).actualToDate) * 100)).toBe(501);
      expect(wholeForecast).toHaveBeenCalledTimes(1);
    } finally {
      wholeForecast.mockRestore();
    }
  });

  it('follows many changes at once from the kept body: spend on either side of the day, a correction, a category moved, a post moved between lines, and changes elsewhere', async () => {
    const lead = council.as.programme_lead;
    const from = (await createLine(council.as.finance, grantId, { title: 'Outreach', category: 'family_help_delivery', amount: '8000.00', committedOn: '2025-04-10' })).id;
    const to = (await createLine(council.as.finance, grantId, { title: 'Outreach two', category: 'family_help_delivery', amount: '9000.00', committedOn: '2025-04-10' })).id;
    const post = await lead.post(`/api/v1/organisations/${council.id}/posts`, {
      title: 'Outreach Worker',
      headcount: 1,
      annualCost: '24000.00',
      status: 'in_post',
      startDate: '2025-11-01',
      commitmentId: from,
    });
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    const otherGrant = (await createGrant(council, [{ amount: '5000.00', description: 'Next year', status: 'confirmed' }], '2026-27')).id;
    const otherLine = (await createLine(council.as.finance, otherGrant, { title: 'Elsewhere', category: 'family_voice', amount: '1000.00', committedOn: '2026-04-10' })).id;
    const { before, after } = await across(async () => {
      const writes = [
        await council.as.finance.post(`/api/v1/commitments/${from}/spend`, { amount: '700.00', spentOn: '2025-08-20' }),
        await council.as.finance.post(`/api/v1/commitments/${from}/spend`, { amount: '-200.00', spentOn: '2025-09-02' }),
        await council.as.finance.post(`/api/v1/commitments/${to}/spend`, { amount: '300.00', spentOn: '2025-11-15' }),
        await council.as.finance.post(`/api/v1/commitments/${otherLine}/spend`, { amount: '400.00', spentOn: '2026-04-20' }),
        await council.as.finance.patch(`/api/v1/commitments/${to}`, { category: 'family_voice' }),
        await lead.patch(`/api/v1/organisations/${council.id}/posts/${post.body.id}`, { commitmentId: to }),
      ];
      for (const write of writes) expect(write.status, JSON.stringify(write.body)).toBeLessThan(300);
    });
    expect(line(before, from)).toMatchObject({ source: 'posts', actualToDate: '0.00' });
    expect(line(after, from)).toMatchObject({ source: 'even', actualToDate: '500.00' });
    expect(line(after, to)).toMatchObject({ source: 'posts', category: 'family_voice', actualToDate: '0.00' });
    expect(after.lines.find((l: { id: string }) => l.id === otherLine)).toBeUndefined();
    // A change that moves no figure leaves the body as it was, and it is still the fresh one.
    const risk = await lead.post(`/api/v1/organisations/${council.id}/risks`, { title: 'Recruitment', likelihood: 3, impact: 3 });
    expect(risk.status, JSON.stringify(risk.body)).toBe(201);
    expect((await get()).body).toEqual(after);
    expect(after).toEqual(await fresh());
  });

  it('makes today’s forecast afresh on another day, and never serves a what-if from the kept body', async () => {
    const first = (await get('')).body;
    expect(first.on).toBe(today());
    clock.set('2025-10-31T12:00:00Z');
    const later = (await get('')).body;
    expect(later.on).toBe('2025-10-31');
    expect(later).toEqual(await fresh(null));
    const whatIf = (await get(`?on=${ON}&assume=withdraw:${lineId}`)).body;
    expect(whatIf.assumed).toBe(true);
    expect(line(whatIf, lineId).forecastRemaining).toBe('0.00');
    expect((await get()).body.assumed).toBe(false);
  });

  it('prints the lines in the database byte for byte as JSON.stringify prints them, whatever their titles', async () => {
    const titles = ['Quotes " and \\ backslash', 'New\nline, tab\t and \u0001 \u001f controls', 'Café – “curly” 😀 𝄞 \u2028 </script>', ''];
    for (const title of titles) {
      const created = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, {
        title: title || 'x',
        category: 'family_voice',
        amount: '10.00',
        committedOn: '2025-04-10',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const raw = await testApp.app.inject({ method: 'GET', url: `/api/v1/grants/${grantId}/forecast?on=${ON}`, headers: { authorization: `Bearer ${PLATFORM_ADMIN_TOKEN}` } });
    expect(raw.statusCode).toBe(200);
    // The same forecast with a row per line, printed by forecastJson with JSON.stringify.
    const { grant, forecast } = await forecastGrant(testApp.database.handle.db, council.id, grantId, { on: ON, today: today(), lines: true });
    expect(forecast.linesJson).toBeUndefined();
    expect(forecast.lines.map((l) => l.title)).toEqual(expect.arrayContaining(titles.map((t) => t || 'x')));
    expect(raw.body).toBe(forecastJson(grant, forecast, false));
  });

  it('gives requests racing a write the forecast at the chain head each read, and the newest once the write is acknowledged', async () => {
    await get(); // kept at the head now
    const holder = new pg.Client({ connectionString: testApp.database.url });
    await holder.connect();
    try {
      // The forecast reads the organisation's posts before its lines: holding that table makes
      // a request that has already read the chain head (its snapshot's first read) wait there,
      // before it reads any line's figures.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE posts IN ACCESS EXCLUSIVE MODE');
      const waiting = async (n: number) =>
        (await holder.query(`SELECT 1 FROM pg_locks WHERE relation = 'posts'::regclass AND NOT granted AND pid <> pg_backend_pid()`)).rowCount! >= n;
      const headBefore = (await findChainHead(testApp.database.handle.db, council.id)).seq;
      // Moved between requests so the racing pair is not answered from the body kept above.
      await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '1.00', spentOn: '2025-07-01' });
      const first = get();
      await waitFor(() => waiting(1), 'the first forecast to wait on posts');
      // The write lands while the first request waits, having read the head before it.
      const write = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '250.00', spentOn: '2025-08-01' });
      expect(write.status).toBe(201);
      const second = get();
      await waitFor(() => waiting(2), 'the second forecast to wait on posts');
      await holder.query('ROLLBACK');
      const [a, b] = await Promise.all([first, second]);
      const now = await fresh();
      // Each is the records at the head it read, whenever it read its figures: the first holds
      // the 1.00 but not the 250.00 written while it waited; the second holds both.
      expect(b.body).toEqual(now);
      const pence = (text: string) => Math.round(Number(text) * 100);
      expect(pence(line(now, lineId).actualToDate) - pence(line(a.body, lineId).actualToDate)).toBe(25_000);
      expect(pence(now.actualToDate) - pence(a.body.actualToDate)).toBe(25_000);
      const august = (body: any) => body.months.find((m: { month: string }) => m.month === '2025-08').actual;
      expect(pence(august(now)) - pence(august(a.body))).toBe(25_000);
      expect(BigInt((await findChainHead(testApp.database.handle.db, council.id)).seq)).toBeGreaterThan(BigInt(headBefore) + 1n);
      // What is kept is the newest head's body, whichever of the two finished last.
      expect(await isKept(testApp.app)).toBe(true);
      expect((await get()).body).toEqual(now);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it('acknowledged writes racing reads: every forecast asked after a write is acknowledged holds it', async () => {
    for (let round = 0; round < 5; round++) {
      const reads = Array.from({ length: 3 }, () => get());
      const write = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: `${round + 1}.00`, spentOn: '2025-09-01' });
      expect(write.status).toBe(201);
      await Promise.all(reads);
      expect((await get()).body).toEqual(await fresh());
    }
  });

  describe('with a second instance over the same database (as behind nginx)', () => {
    let second: FastifyInstance;
    let handle: DatabaseHandle;
    beforeAll(async () => {
      handle = connectPostgres(testApp.database.url, { poolSize: 4 });
      second = await buildApp({
        config: loadConfig({ DATABASE_URL: testApp.database.url, RINGFENCE_ADMIN_TOKEN: PLATFORM_ADMIN_TOKEN, LOG_LEVEL: 'silent' }),
        database: handle,
        clock,
      });
      await second.ready();
    });
    afterAll(async () => {
      await second?.close();
      await handle?.close();
    });

    it('never serves a body kept before a write made through the other instance', async () => {
      const admin = apiAs(second, PLATFORM_ADMIN_TOKEN);
      const before = (await get(`?on=${ON}`, admin)).body;
      expect((await get(`?on=${ON}`, admin)).body).toEqual(before);
      expect(await isKept(second)).toBe(true);
      // Written through the first instance; the second has never heard of it but for the chain head.
      expect((await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '10.00', spentOn: '2025-05-01' })).status).toBe(201);
      const after = (await get(`?on=${ON}`, admin)).body;
      expect(after).toEqual(await fresh());
      expect(line(after, lineId).actualToDate).not.toBe(line(before, lineId).actualToDate);
    });
  });
});
