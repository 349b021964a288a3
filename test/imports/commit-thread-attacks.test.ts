import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedApp } from '../support/embedded.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, upload, waitFor } from './support.ts';

/**
 * A long commit (more than LONG_COMMIT_ROWS, src/imports/service.ts) runs in a worker thread
 * on a connection of its own (src/imports/commit-thread.ts): what it tells a council, and what
 * it writes, are what a commit in the request thread tells and writes. How many run at once is
 * in long-commit.test.ts.
 */

/** `count` payments of `amount` on cost centre CC0. */
function paymentsCsv(count: number, amount: string, prefix: string): string {
  const rows: string[][] = [['Date', 'Transaction Number', 'Cost Centre', 'Amount']];
  for (let i = 0; i < count; i++) rows.push([`2025-${String(4 + (i % 9)).padStart(2, '0')}-15`, `${prefix}-${i + 1}`, 'CC0', amount]);
  return csvOf(rows);
}

/** A grant of `allocation` with one service-delivery line, cost centre CC0. */
async function grantWithLine(council: TestOrganisation, allocation: string): Promise<string> {
  const grant = await createGrant(council, [{ amount: allocation, description: 'Grant', status: 'confirmed' }]);
  const line = await createLine(council.as.finance, grant.id, { title: 'Line 1', category: 'family_help_delivery', amount: '1000000.00' });
  const mapped = await council.as.finance.post(`/api/v1/grants/${grant.id}/cost-centres`, { code: 'CC0', commitmentId: line.id });
  expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
  return grant.id;
}

// Long commits on a busy two-core machine: each test waits for its commits to end, up to 90 s.
describe('a long commit in its own thread, attacked', { timeout: 120_000 }, () => {
  let testApp: TestApp;
  let holder: pg.Client;

  beforeAll(async () => {
    testApp = await startTestApp();
    holder = new pg.Client({ connectionString: testApp.database.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await testApp?.close();
  });

  it('gives a refusal in the thread the same problem type, fields and row as a short commit in the request thread', async () => {
    const council = await createOrganisation(testApp, 'Refused Both Ways Council');
    const other = await createOrganisation(testApp, 'Nosy Council');
    // £1,000 of allocation: the 1,001st payment of £1 is the first that does not fit, whichever import it is in.
    const grantId = await grantWithLine(council, '1000.00');
    const failures: unknown[] = [];
    for (const rows of [2_000, 2_001]) {
      const preview = await upload(council.as.finance, grantId, 'spend', { name: `ledger-${rows}.csv`, content: paymentsCsv(rows, '1.00', 'SAME') });
      expect([preview.status, preview.body.canCommit]).toEqual([201, true]);
      const path = `/api/v1/imports/${preview.body.id}`;
      const started = await council.as.finance.post(`${path}/commit`);
      expect(started.status).toBe(rows > 2_000 ? 202 : 422);
      const ended = await waitFor(
        () => council.as.reader.get(path),
        (answer) => answer.body.status !== 'committing',
        'the commit to end',
        90_000,
      );
      expect(ended.body.status).toBe('failed');
      // The short commit answered its refusal at once; the import keeps the same one.
      if (rows === 2_000) expect(ended.body.failure).toMatchObject({ type: started.body.type, detail: started.body.detail, row: started.body.row });
      failures.push(ended.body.failure);
      // Another council learns nothing of it.
      expect((await other.as.finance.get(path)).status).toBe(404);
    }
    expect(failures[0]).toMatchObject({ type: '/problems/over-allocation', status: 422, row: 1_002, attempted: '1.00', remaining: '0.00' });
    expect(failures[1]).toEqual(failures[0]);
  });

  it('commits a revised table of more than 2,000 lines in the thread, audited and whole', async () => {
    const council = await createOrganisation(testApp, 'Many Lines Council');
    const grant = await createGrant(council, [{ amount: '10000000.00', description: 'Grant', status: 'confirmed' }]);
    const rows = [['Title', 'Heading', '£'], ...Array.from({ length: 2_001 }, (_, i) => [`Hub ${i + 1}`, 'Service delivery', '10'])];
    const preview = await upload(council.as.finance, grant.id, 'commitments', { name: 'lines.csv', content: csvOf(rows) });
    expect([preview.status, preview.body.problems]).toEqual([201, []]);
    const path = `/api/v1/imports/${preview.body.id}`;
    expect((await council.as.finance.post(`${path}/commit`)).status).toBe(202);
    const ended = await waitFor(
      () => council.as.reader.get(path),
      (answer) => answer.body.status !== 'committing',
      'the commit to end',
      90_000,
    );
    expect([ended.body.status, ended.body.result?.created]).toEqual(['committed', { count: 2_001, total: '20010.00', tbc: 0 }]);
    const lines = await holder.query<{ count: number }>('SELECT count(*)::int AS count FROM commitments WHERE grant_id = $1', [grant.id]);
    expect(lines.rows[0]!.count).toBe(2_001);
    expect((await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`)).body).toMatchObject({ ok: true });
  }, 180_000);
});

// PGlite is PostgreSQL compiled to WebAssembly: starting it takes seconds, and a long commit on
// its one connection far longer on a loaded 2-core machine.
describe('a long commit on the embedded PGlite default', { timeout: 300_000 }, () => {
  it('commits more than 2,000 payments in the request thread, on its one connection', async () => {
    const { admin, close } = await startEmbeddedApp('ringfence-pglite-long-commit-');
    try {
      const organisation = await admin.post('/api/v1/organisations', { name: 'Embedded Ledger Council', code: 'E06000097' });
      const grant = await admin.post(`/api/v1/organisations/${organisation.body.id}/grants`, {
        scheme: 'csc-prevention',
        financialYear: '2025-26',
        tranches: [{ amount: '2210000.00', description: 'Allocation', status: 'confirmed' }],
      });
      const grantId: string = grant.body.id;
      const line = await admin.post(`/api/v1/grants/${grantId}/commitments`, { title: 'Hub', category: 'family_help_delivery', amount: '100000.00' });
      expect(line.status, JSON.stringify(line.body)).toBe(201);
      expect((await admin.post(`/api/v1/grants/${grantId}/cost-centres`, { code: 'CC0', commitmentId: line.body.id })).status).toBe(200);
      const preview = await upload(admin, grantId, 'spend', { name: 'ledger.csv', content: paymentsCsv(2_001, '1.00', 'EMB') });
      expect([preview.status, preview.body.canCommit, preview.body.willCreate?.count], JSON.stringify(preview.body).slice(0, 300)).toEqual([201, true, 2_001]);
      const path = `/api/v1/imports/${preview.body.id}`;
      expect((await admin.post(`${path}/commit`)).status).toBe(202);
      const ended = await waitFor(
        () => admin.get(path),
        (answer) => answer.body.status !== 'committing',
        'the commit to end',
        90_000,
      );
      expect([ended.body.status, ended.body.result?.created?.count, ended.body.failure]).toEqual(['committed', 2_001, null]);
      const summary = await admin.get(`/api/v1/grants/${grantId}/summary`);
      expect(summary.status).toBe(200);
      expect(JSON.stringify(summary.body)).toContain('2001.00');
      expect((await admin.get(`/api/v1/organisations/${organisation.body.id}/audit/verify`)).body).toMatchObject({ ok: true });
    } finally {
      await close();
    }
  });
});
