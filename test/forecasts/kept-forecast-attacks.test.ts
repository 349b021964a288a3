import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChainHead } from '../../src/audit/repository.ts';
import { todayInLondon } from '../../src/shared/calendar.ts';
import { type Api, type ApiResponse, startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { freshForecast, getForecast } from './support.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, upload } from '../imports/support.ts';

/**
 * Attacks on the kept forecast (src/forecasts/kept-bodies.ts) followed across changes
 * (followChanges in src/forecasts/service.ts): after each sequence of changes made through the
 * API, the body served must be the one made afresh from the database (forecastGrant keeps
 * nothing), and no request may fail with a 5xx.
 */
describe('kept forecasts under attack', () => {
  const clock = settableClock('2025-09-30T12:00:00Z');
  let testApp: TestApp;
  let council: TestOrganisation;
  let other: TestOrganisation;
  let grantId: string;
  const ON = '2025-09-30';
  const today = () => todayInLondon(clock.now());

  const get = (query = `?on=${ON}`, api: Api = council.as.reader, grant = grantId): Promise<ApiResponse> => getForecast(api, grant, query);
  const fresh = (on: string | null = ON, organisationId = council.id, grant = grantId) => freshForecast(testApp.database.handle.db, organisationId, grant, on, today());
  const ok = (response: ApiResponse) => {
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    return response.body;
  };
  const line = (body: any, id: string) => body.lines.find((l: { id: string }) => l.id === id);
  const refs = (body: any) => body.lines.map((l: { ref: string }) => l.ref);

  /**
   * Keeps the forecast (read twice, the second answered from the kept body), makes the change,
   * and holds the forecast after it to a fresh one, for each query given (`on` given and omitted).
   */
  const across = async (change: () => Promise<unknown>, queries: readonly string[] = [`?on=${ON}`, '']) => {
    for (const query of queries) {
      const before = (await get(query)).body;
      expect((await get(query)).body).toEqual(before);
    }
    const headBefore = (await findChainHead(testApp.database.handle.db, council.id)).seq;
    await change();
    expect(BigInt((await findChainHead(testApp.database.handle.db, council.id)).seq)).toBeGreaterThan(BigInt(headBefore));
    const afters: any[] = [];
    for (const query of queries) {
      const after = (await get(query)).body;
      expect(after).toEqual(await fresh(query === '' ? null : query.replace('?on=', '')));
      afters.push(after);
    }
    return afters[0];
  };

  beforeAll(async () => {
    testApp = await startTestApp({ clock });
    council = await createOrganisation(testApp, 'Attacked Council');
    other = await createOrganisation(testApp, 'Other Council');
    grantId = (await createGrant(council, [{ amount: '500000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
  });
  afterAll(() => testApp?.close());

  it('sorts refs in the collation countRefsBefore compares them in: the database default, with no collation of the column’s own', async () => {
    // A named line's place is counted by comparing refs as text passed in (countRefsBefore in
    // src/forecasts/repository.ts), which uses the database's default collation; the line order
    // sorts the column. A COLLATE on commitments.ref would part the two silently.
    const { rows } = await sql<{ is_default: boolean }>`
      SELECT a.attcollation = (SELECT oid FROM pg_collation WHERE collname = 'default') AS is_default
      FROM pg_attribute a WHERE a.attrelid = 'commitments'::regclass AND a.attname = 'ref'`.execute(testApp.database.handle.db);
    expect(rows).toEqual([{ is_default: true }]);
  });

  it('follows a forecast made in March, with no month ahead: a payment, an amendment and a new line', async () => {
    const march = ['?on=2026-03-15'];
    const lineId = (await createLine(council.as.finance, grantId, { ref: '300', title: 'March line', category: 'family_voice', amount: '900.00', committedOn: '2025-04-10' })).id;
    const paid = await across(() => council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '120.00', spentOn: '2026-03-02' }).then(ok), march);
    expect(line(paid, lineId)).toMatchObject({ actualToDate: '120.00', forecastRemaining: '0.00' });
    expect(paid).toEqual(await fresh('2026-03-15'));
    await across(() => council.as.finance.patch(`/api/v1/commitments/${lineId}`, { amount: '1000.00' }).then(ok), march);
    await across(
      () => createLine(council.as.finance, grantId, { ref: '301', title: 'Another March line', category: 'family_voice', amount: '50.00', committedOn: '2025-04-10' }),
      march,
    );
  });

  it('renumbers between numbered and named refs: "007" and "7", "9" and "10", refs with "-", "/" and ".", long digit runs', async () => {
    const make = (ref: string) => createLine(council.as.finance, grantId, { ref, title: `Line ${ref}`, category: 'family_voice', amount: '100.00', committedOn: '2025-04-10' });
    const ids: Record<string, string> = {};
    for (const ref of ['7', '9', 'b', 'a-1']) ids[ref] = (await make(ref)).id;
    await get();
    for (const ref of ['007', '10', 'a/1', 'a.1', 'A1', '0000000001', '123456789', '1234567890', '07', '70']) {
      await across(async () => (ids[ref] = (await make(ref)).id));
    }
    const renumber = (id: string, ref: string) => council.as.finance.patch(`/api/v1/commitments/${id}`, { ref });
    // Numbered to named and back; named to numbered; a number with leading zeros to plain.
    await across(async () => ok(await renumber(ids['7']!, 'z-7')));
    await across(async () => ok(await renumber(ids['a-1']!, '8')));
    await across(async () => ok(await renumber(ids['007']!, '7')));
    await across(async () => ok(await renumber(ids['1234567890']!, '2')));
    await across(async () => ok(await renumber(ids['123456789']!, 'Z')));
    // Many lines renumbered in one go between two reads: a swap through a spare ref, and a rotation.
    await across(async () => {
      ok(await renumber(ids['9']!, 'tmp'));
      ok(await renumber(ids['10']!, '9'));
      ok(await renumber(ids['9']!, '10'));
      ok(await renumber(ids['b']!, '11'));
      ok(await renumber(ids['a/1']!, 'b'));
      ok(await renumber(ids['A1']!, '00'));
      ok(await renumber(ids['0000000001']!, 'a-1'));
    });
    const body = (await get()).body;
    expect(refs(body)).toEqual(refs(await fresh()));
  });

  it('follows posts and secondments: moved between lines, to a line of another grant, off any line, status not counted, cost share changed, and the line they fund withdrawn', async () => {
    const lead = council.as.programme_lead;
    const a = (await createLine(council.as.finance, grantId, { title: 'Team A', category: 'transformation', amount: '30000.00', committedOn: '2025-04-10' })).id;
    const b = (await createLine(council.as.finance, grantId, { title: 'Team B', category: 'transformation', amount: '30000.00', committedOn: '2025-04-10' })).id;
    const nextYear = (await createGrant(council, [{ amount: '50000.00', description: 'Next year', status: 'confirmed' }], '2026-27')).id;
    const elsewhere = (await createLine(council.as.finance, nextYear, { title: 'Next year team', category: 'transformation', amount: '1000.00', committedOn: '2026-04-10' })).id;
    const posts = `/api/v1/organisations/${council.id}/posts`;
    const secondments = `/api/v1/organisations/${council.id}/secondments`;
    let postId = '';
    let secondmentId = '';
    await across(async () => {
      postId = ok(await lead.post(posts, { title: 'Worker', headcount: 1, annualCost: '24000.00', status: 'in_post', startDate: '2025-10-01', commitmentId: a })).id;
    });
    await across(async () => ok(await lead.patch(`${posts}/${postId}`, { commitmentId: b })));
    await across(async () => ok(await lead.patch(`${posts}/${postId}`, { commitmentId: elsewhere })));
    await across(async () => ok(await lead.patch(`${posts}/${postId}`, { commitmentId: a })));
    await across(async () => ok(await lead.patch(`${posts}/${postId}`, { commitmentId: null })));
    await across(async () => ok(await lead.patch(`${posts}/${postId}`, { commitmentId: b, status: 'unfilled' })));
    await across(async () => ok(await lead.patch(`${posts}/${postId}`, { status: 'recruiting', startDate: null, plannedStartDate: '2025-12-15' })));
    await across(async () => {
      secondmentId = ok(
        await lead.post(secondments, {
          partner: 'Health',
          role: 'Nurse',
          annualCost: '12000.00',
          costShare: '0.5000',
          status: 'in_post',
          startDate: '2025-10-01',
          commitmentId: a,
        }),
      ).id;
    });
    await across(async () => ok(await lead.patch(`${secondments}/${secondmentId}`, { costShare: '0.2500' })));
    await across(async () => ok(await lead.patch(`${secondments}/${secondmentId}`, { commitmentId: b })));
    const withdrawn = await across(async () => ok(await council.as.finance.post(`/api/v1/commitments/${b}/withdraw`)));
    expect(line(withdrawn, b).forecastRemaining).toBe('0.00');
    // A post moved off the withdrawn line, and another line's amount changed with it.
    await across(async () => {
      ok(await lead.patch(`${posts}/${postId}`, { commitmentId: a }));
      ok(await council.as.finance.patch(`/api/v1/commitments/${a}`, { amount: '31000.00' }));
    });
  });

  it('follows spend: after the day, corrections, on another grant of the organisation, in the day’s month after the day, and another organisation’s spend', async () => {
    const a = (await createLine(council.as.finance, grantId, { title: 'Spend A', category: 'family_help_delivery', amount: '9000.00', committedOn: '2025-04-10' })).id;
    const otherGrant = (await createGrant(other, [{ amount: '9000.00', description: 'Theirs', status: 'confirmed' }])).id;
    const theirs = (await createLine(other.as.finance, otherGrant, { title: 'Their line', category: 'family_help_delivery', amount: '900.00', committedOn: '2025-04-10' })).id;
    await get('', other.as.reader, otherGrant);
    await across(async () => {
      const spend = (id: string, amount: string, spentOn: string, api = council.as.finance) => api.post(`/api/v1/commitments/${id}/spend`, { amount, spentOn });
      ok(await spend(a, '1000.00', '2025-09-30'));
      ok(await spend(a, '50.00', '2025-10-01'));
      ok(await spend(a, '-300.00', '2025-09-29'));
      ok(await spend(a, '20.00', '2026-03-31'));
      ok(await spend(theirs, '10.00', '2025-06-01', other.as.finance));
    });
    // The other organisation's forecast is its own, kept or not.
    const theirBody = (await get('', other.as.reader, otherGrant)).body;
    expect(theirBody).toEqual(await fresh(null, other.id, otherGrant));
    expect(theirBody.lines.map((l: { id: string }) => l.id)).toEqual([theirs]);
    // Neither organisation can read the other's forecast.
    expect((await other.as.reader.get(`/api/v1/grants/${grantId}/forecast?on=${ON}`)).status).toBe(404);
    expect((await council.as.reader.get(`/api/v1/grants/${otherGrant}/forecast`)).status).toBe(404);
  });

  it('follows a tbc line priced, an entered profile wholly before the day, a category left empty, and a what-if between plain forecasts', async () => {
    const tbc = (await createLine(council.as.finance, grantId, { title: 'To be priced', category: 'practice_workforce_ict', amount: null, committedOn: '2025-04-10' })).id;
    await across(async () => ok(await council.as.finance.patch(`/api/v1/commitments/${tbc}`, { amount: '1234.57' })));
    await across(async () => ok(await council.as.finance.put(`/api/v1/commitments/${tbc}/profile`, { months: [{ month: '2025-05', amount: '99.99' }] })));
    await across(async () => ok(await council.as.finance.patch(`/api/v1/commitments/${tbc}`, { category: 'family_voice' })));
    await across(async () => {
      const whatIf = await council.as.reader.get(`/api/v1/grants/${grantId}/forecast?on=${ON}&assume=withdraw:${tbc}`);
      expect(whatIf.status).toBe(200);
      ok(await council.as.finance.patch(`/api/v1/commitments/${tbc}`, { amount: null }));
    });
  });

  it('follows a spend import and a revised table of lines (amendments, a withdrawal, a new line)', async () => {
    const grant = (await createGrant(other, [{ amount: '90000.00', description: 'Imports', status: 'confirmed' }], '2026-27')).id;
    const l1 = (await createLine(other.as.finance, grant, { ref: '1', title: 'One', category: 'family_voice', amount: '1000.00', committedOn: '2026-04-10' })).id;
    const l2 = (await createLine(other.as.finance, grant, { ref: '2', title: 'Two', category: 'family_voice', amount: '2000.00', committedOn: '2026-04-10' })).id;
    await createLine(other.as.finance, grant, { ref: '4', title: 'Four', category: 'family_voice', amount: '400.00', committedOn: '2026-04-10' });
    const on = '2026-09-30';
    const keep = async () => {
      const before = (await get(`?on=${on}`, other.as.reader, grant)).body;
      expect((await get(`?on=${on}`, other.as.reader, grant)).body).toEqual(before);
    };
    const check = async () => expect((await get(`?on=${on}`, other.as.reader, grant)).body).toEqual(await fresh(on, other.id, grant));
    await keep();
    ok(await other.as.finance.post(`/api/v1/grants/${grant}/cost-centres`, { code: 'CC1', commitmentId: l1 }));
    ok(await other.as.finance.post(`/api/v1/grants/${grant}/cost-centres`, { code: 'CC2', commitmentId: l2 }));
    await keep();
    const ledger = csvOf([
      ['Transaction Date', 'Transaction Number', 'Supplier Name', 'Cost Centre', 'Description', 'Net Amount'],
      ['01/05/2026', 'AP-1', 'Acme', 'CC1', 'Hub', '100.00'],
      ['30/09/2026', 'AP-2', 'Acme', 'CC2', 'Hub', '200.00'],
      ['01/10/2026', 'AP-3', 'Acme', 'CC2', 'Hub', '300.00'],
      ['02/06/2026', 'AP-4', 'Acme', 'CC1', 'Credit', '(40.00)'],
    ]);
    const spend = ok(await upload(other.as.finance, grant, 'spend', { name: 'ledger.csv', content: ledger }));
    expect(spend.problems).toEqual([]);
    ok(await other.as.finance.post(`/api/v1/imports/${spend.id}/commit`));
    await check();
    await keep();
    const table = csvOf([
      ['#', 'Heading', 'Line', '£'],
      [1, 'Service design', 'One renamed', '1500'],
      [2, 'Service design', 'Two', '2000'],
      [3, 'Service design', 'Three', '700'],
    ]);
    const revised = ok(await upload(other.as.finance, grant, 'commitments', { name: 'lines.csv', content: table }, { mode: 'update', withdrawMissing: 'true' }));
    expect(revised.problems).toEqual([]);
    const committed = ok(await other.as.finance.post(`/api/v1/imports/${revised.id}/commit`));
    expect([committed.updated.length, committed.withdrawn.length, committed.created.count]).toEqual([1, 1, 1]);
    await check();
  });
  it('answers reads racing writes on two grants of the organisation without a 5xx, and the forecast once they settle is the fresh one', async () => {
    const second = (await createGrant(council, [{ amount: '40000.00', description: 'Second', status: 'confirmed' }], '2028-29')).id;
    const ids = await Promise.all(
      ['r1', 'r2', '5', '50'].map(
        async (ref) => (await createLine(council.as.finance, grantId, { ref, title: ref, category: 'family_voice', amount: '500.00', committedOn: '2025-04-10' })).id,
      ),
    );
    const theirs = (await createLine(council.as.finance, second, { title: 'Second grant line', category: 'family_voice', amount: '500.00', committedOn: '2028-04-10' })).id;
    const post = ok(
      await council.as.programme_lead.post(`/api/v1/organisations/${council.id}/posts`, {
        title: 'Racer',
        headcount: 1,
        annualCost: '6000.00',
        status: 'in_post',
        startDate: '2025-10-01',
        commitmentId: ids[0],
      }),
    ).id;
    await get();
    await get('', council.as.reader, second);
    for (let round = 0; round < 4; round++) {
      const reads = Array.from({ length: 6 }, (_, i) => council.as.reader.get(i % 2 === 0 ? `/api/v1/grants/${grantId}/forecast?on=${ON}` : `/api/v1/grants/${second}/forecast`));
      const writes = [
        council.as.finance.post(`/api/v1/commitments/${ids[round % 4]}/spend`, { amount: '1.00', spentOn: '2025-09-01' }),
        council.as.finance.post(`/api/v1/commitments/${theirs}/spend`, { amount: '2.00', spentOn: '2028-05-01' }),
        council.as.finance.patch(`/api/v1/commitments/${ids[2]}`, { ref: round % 2 === 0 ? 'r0' : '5' }),
        council.as.programme_lead.patch(`/api/v1/organisations/${council.id}/posts/${post}`, { commitmentId: ids[(round + 1) % 4] }),
        council.as.finance.put(`/api/v1/commitments/${ids[3]}/profile`, { months: round % 2 === 0 ? [{ month: '2026-01', amount: `${round + 1}.00` }] : [] }),
      ];
      for (const write of await Promise.all(writes)) ok(write);
      for (const read of await Promise.all(reads)) expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect((await get()).body).toEqual(await fresh());
      expect((await get('', council.as.reader, second)).body).toEqual(await fresh(null, council.id, second));
    }
  });

  it('makes today’s forecast on a new day from nothing kept for that day, and one before the grant’s year from its first day', async () => {
    const next = (await createGrant(council, [{ amount: '1000.00', description: 'Third', status: 'confirmed' }], '2027-28')).id;
    const early = (await get('', council.as.reader, next)).body;
    expect(early.on).toBe('2027-04-01');
    await createLine(council.as.finance, next, { title: 'Early', category: 'family_voice', amount: '12.00', committedOn: '2027-04-10' });
    expect((await get('', council.as.reader, next)).body).toEqual(await fresh(null, council.id, next));
    clock.set('2025-10-15T12:00:00Z');
    await across(async () => ok(await council.as.finance.post(`/api/v1/grants/${grantId}/tranches`, { amount: '10.00', description: 'Top-up', status: 'confirmed' })));
    clock.set('2025-09-30T12:00:00Z');
  });
});
