import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { financialYearBounds, financialYearOf } from '../../src/shared/calendar.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, upload } from '../imports/support.ts';

/** The year `offset` years from the one today falls in: "2025-26" for -1 in 2026-27. */
function yearFrom(today: string, offset: number): string {
  const start = Number(financialYearOf(today).slice(0, 4)) + offset;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

describe("a line's committedOn", () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let today: string;
  const grants: Record<'past' | 'current' | 'next', string> = { past: '', current: '', next: '' };

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Committed Council');
    const result = await sql<{ today: string }>`SELECT (now() AT TIME ZONE 'Europe/London')::date::text AS today`.execute(testApp.database.handle.db);
    today = result.rows[0]!.today;
    const tranche = [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' as const }];
    grants.past = (await createGrant(council, tranche, yearFrom(today, -1))).id;
    grants.current = (await createGrant(council, tranche, yearFrom(today, 0))).id;
    grants.next = (await createGrant(council, tranche, yearFrom(today, 1))).id;
  });
  afterAll(() => testApp?.close());

  it("defaults to the day recorded, moved into the grant's year: 31 March for a year that has ended, 1 April for one not begun", async () => {
    const line = (grantId: string) => createLine(council.as.finance, grantId, { title: 'Team', category: 'family_voice', amount: '100.00' });
    expect((await line(grants.past)).committedOn).toBe(financialYearBounds(yearFrom(today, -1)).lastDay);
    expect((await line(grants.current)).committedOn).toBe(today);
    expect((await line(grants.next)).committedOn).toBe(financialYearBounds(yearFrom(today, 1)).firstDay);
  });

  it("takes a date given within the grant's year, and refuses one outside it with 422 naming committedOn, writing nothing", async () => {
    const { firstDay, lastDay } = financialYearBounds(yearFrom(today, -1));
    const given = await createLine(council.as.finance, grants.past, { title: 'Approved at cabinet', category: 'family_voice', amount: '10.00', committedOn: firstDay });
    expect(given.committedOn).toBe(firstDay);

    const before = (await council.as.reader.get(`/api/v1/grants/${grants.past}/commitments`)).body.items.length;
    const dayAfter = `${Number(lastDay.slice(0, 4))}-04-01`;
    const refused = await council.as.finance.post(`/api/v1/grants/${grants.past}/commitments`, {
      title: 'Too late',
      category: 'family_voice',
      amount: '10.00',
      committedOn: dayAfter,
    });
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/outside-financial-year$/), field: 'committedOn', committedOn: dayAfter, firstDay, lastDay });
    expect(refused.body.detail).toContain('committedOn');
    expect((await council.as.reader.get(`/api/v1/grants/${grants.past}/commitments`)).body.items.length).toBe(before);

    const amended = await council.as.finance.patch(`/api/v1/commitments/${given.id}`, { committedOn: '2000-01-01' });
    expect(amended.status).toBe(422);
    expect(amended.body.field).toBe('committedOn');
    expect((await council.as.reader.get(`/api/v1/commitments/${given.id}`)).body).toMatchObject({ committedOn: firstDay, version: 1 });

    const malformed = await council.as.finance.post(`/api/v1/grants/${grants.past}/commitments`, {
      title: 'Bad',
      category: 'family_voice',
      amount: '1.00',
      committedOn: '2025-02-30',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { path: string }) => e.path)).toContain('committedOn');
  });

  it('is changed by an amendment as a new version, audited with the before and after dates', async () => {
    const { firstDay } = financialYearBounds(yearFrom(today, -1));
    const line = await createLine(council.as.finance, grants.past, { title: 'Moved', category: 'family_voice', amount: '10.00', committedOn: firstDay });
    const moved = await council.as.finance.patch(`/api/v1/commitments/${line.id}`, { committedOn: `${firstDay.slice(0, 4)}-10-15` });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ committedOn: `${firstDay.slice(0, 4)}-10-15`, version: 2 });
    const versions = await sql<{ version: number; committed_on: string }>`
      SELECT version, committed_on::text FROM commitment_versions WHERE commitment_id = ${line.id} ORDER BY version
    `.execute(testApp.database.handle.db);
    expect(versions.rows).toEqual([
      { version: 1, committed_on: firstDay },
      { version: 2, committed_on: `${firstDay.slice(0, 4)}-10-15` },
    ]);
    const audit = await council.as.admin.get(`/api/v1/organisations/${council.id}/audit?entity=commitment&entityId=${line.id}`);
    const update = audit.body.items.find((item: { action: string }) => item.action === 'update');
    expect(update.before.committedOn).toBe(firstDay);
    expect(update.after.committedOn).toBe(`${firstDay.slice(0, 4)}-10-15`);
  });

  it('is read by a commitments import from a date-approved column, any ledger date format, within the year', async () => {
    const year = yearFrom(today, -1);
    const start = year.slice(0, 4);
    const file = csvOf([
      ['#', 'Category', 'Title', 'Amount', 'Date approved'],
      ['101', 'Children and family voice', 'Approved in July', '1,000', `09/07/${start}`],
      ['102', 'Children and family voice', 'No date given', '2,000', null],
    ]);
    const preview = await upload(council.as.finance, grants.past, 'commitments', { name: 'lines.csv', content: file });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    expect(preview.body.mapping).toMatchObject({ E: 'committedOn' });
    expect(preview.body.problems).toEqual([]);
    const committed = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    const lines = (await council.as.reader.get(`/api/v1/grants/${grants.past}/commitments`)).body.items;
    expect(lines.find((l: { ref: string }) => l.ref === '101').committedOn).toBe(`${start}-07-09`);
    expect(lines.find((l: { ref: string }) => l.ref === '102').committedOn).toBe(financialYearBounds(year).lastDay);

    const outside = csvOf([
      ['#', 'Category', 'Title', 'Amount', 'Approved on'],
      ['201', 'Children and family voice', 'Approved the year before', '1,000', `${Number(start) - 1}-05-01`],
    ]);
    const refused = await upload(council.as.finance, grants.past, 'commitments', { name: 'outside.csv', content: outside });
    expect(refused.status).toBe(201);
    expect(refused.body.problems).toEqual([expect.objectContaining({ row: 2, column: 'E', message: expect.stringContaining("outside the grant's financial year") })]);
  });
});
