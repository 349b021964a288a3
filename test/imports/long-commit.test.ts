import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { apiAs, type ApiResponse, PLATFORM_ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, upload, waitFor } from './support.ts';

/** The advisory lock the test holds to keep a commit part-way through its payments. */
const HOLD = 1414;

interface LedgerGrant {
  readonly council: TestOrganisation;
  readonly grantId: string;
  readonly lineIds: readonly string[];
}

/** A grant with `lines` lines, each carrying the spend of cost centre CC<n>. */
async function ledgerGrant(testApp: TestApp, name: string, allocation: string, lines: { category: string; amount: string }[]): Promise<LedgerGrant> {
  const council = await createOrganisation(testApp, name);
  const grant = await createGrant(council, [{ amount: allocation, description: 'Grant', status: 'confirmed' }]);
  const lineIds: string[] = [];
  for (const [index, line] of lines.entries()) {
    const created = await createLine(council.as.finance, grant.id, { title: `Line ${index + 1}`, ...line });
    const mapped = await council.as.finance.post(`/api/v1/grants/${grant.id}/cost-centres`, { code: `CC${index}`, commitmentId: created.id });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    lineIds.push(created.id);
  }
  return { council, grantId: grant.id, lineIds };
}

/** `count` payments of `amount`, spread over the cost centres CC0…CC<centres-1>; `last` replaces the final one's amount. */
function ledgerCsv(count: number, amount: string, centres: number, prefix: string, last?: string): string {
  const rows: string[][] = [['Date', 'Transaction Number', 'Cost Centre', 'Amount']];
  for (let i = 0; i < count; i++) {
    rows.push([`2025-${String(4 + (i % 9)).padStart(2, '0')}-15`, `${prefix}-${i + 1}`, `CC${i % centres}`, i === count - 1 && last ? last : amount]);
  }
  return csvOf(rows);
}

/** A thread's nice value, from /proc (Linux): `self`, or a task id of this process. */
function niceOf(task: string): number {
  const stat = readFileSync(task === 'self' ? '/proc/thread-self/stat' : `/proc/self/task/${task}/stat`, 'utf8');
  // Fields after the command's closing parenthesis; nice is the 19th field of the line.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** This process's threads at nice 10, where a long commit's thread runs. */
function lowerPriorityThreads(): string[] {
  return readdirSync('/proc/self/task').filter((task) => {
    try {
      return niceOf(task) === 10;
    } catch {
      return false; // a thread that ended while the list was read
    }
  });
}

// Each test waits for its long commits to end (up to 60 s each, waitFor): on a busy two-core machine that is more than vitest's default 30 s.
describe('a year’s ledger committed at ledger speed', { timeout: 120_000 }, () => {
  let testApp: TestApp;
  let holder: pg.Client;

  /** Holds the commit into `grantId` once it has written more than `after` payments, until the test lets go. */
  async function holdCommitsInto(grantId: string, after: number): Promise<void> {
    await holder.query(`
      CREATE OR REPLACE FUNCTION test_hold_spend() RETURNS trigger LANGUAGE plpgsql SET lock_timeout = 0 AS $$
      BEGIN
        IF (SELECT count(*) FROM spend_entries WHERE grant_id = '${grantId}') > ${after} THEN PERFORM pg_advisory_xact_lock_shared(${HOLD}); END IF;
        RETURN NULL;
      END $$`);
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
  }

  const letGo = () => holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);

  async function entriesIn(grantId: string): Promise<{ count: number; total: string; grantSpent: string }> {
    const result = await holder.query<{ count: number; total: string; spent: string }>(
      `SELECT (SELECT count(*)::int FROM spend_entries WHERE grant_id = $1) AS count,
              (SELECT coalesce(sum(amount), 0)::text FROM spend_entries WHERE grant_id = $1) AS total,
              (SELECT spent::text FROM grants WHERE id = $1) AS spent`,
      [grantId],
    );
    const row = result.rows[0]!;
    return { count: row.count, total: row.total, grantSpent: row.spent };
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    holder = new pg.Client({ connectionString: testApp.database.url });
    await holder.connect();
    await holder.query(`
      CREATE FUNCTION test_hold_spend() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
      CREATE TRIGGER test_hold_spend AFTER INSERT ON spend_entries FOR EACH STATEMENT EXECUTE FUNCTION test_hold_spend();`);
  });
  afterAll(async () => {
    await holder?.end();
    await testApp?.close();
  });

  it('answers 202, carries on, reports its progress to the total, refuses a second commit meanwhile, and keeps other councils answering', async () => {
    const rows = 3_000;
    const a = await ledgerGrant(testApp, 'Ledger Council A', '10000000.00', [
      { category: 'family_help_delivery', amount: '1000000.00' },
      { category: 'family_help_delivery', amount: '1000000.00' },
      { category: 'practice_workforce_ict', amount: '1000000.00' },
    ]);
    const b = await ledgerGrant(testApp, 'Ledger Council B', '1000000.00', [{ category: 'family_help_delivery', amount: '100000.00' }]);
    const [councilA, councilB] = [a.council, b.council];
    const preview = await upload(councilA.as.finance, a.grantId, 'spend', { name: 'ledger.csv', content: ledgerCsv(rows, '12.34', 3, 'AP') });
    expect(preview.status, JSON.stringify(preview.body).slice(0, 500)).toBe(201);
    expect([preview.body.canCommit, preview.body.willCreate.count]).toEqual([true, rows]);
    const importId: string = preview.body.id;
    const path = `/api/v1/imports/${importId}`;

    await holdCommitsInto(a.grantId, 2_000);
    const started = await councilA.as.finance.post(`${path}/commit`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.headers.location).toBe(path);
    expect(started.body).toEqual({ id: importId, kind: 'spend', status: 'committing', progress: { done: 0, total: rows } });

    // The first 2,000 are written (inside the transaction) and said so; the rest wait on the test.
    const midway = await waitFor(
      () => councilA.as.reader.get(path),
      (answer) => answer.body.progress?.done === 2_000,
      'the first 2,000 payments to be reported',
    );
    // While it runs, GET answers the progress alone (the contract's shape), not the megabytes of preview.
    expect(midway.body).toEqual({ id: importId, kind: 'spend', status: 'committing', progress: { done: 2_000, total: rows } });
    expect(await entriesIn(a.grantId)).toMatchObject({ count: 0 });

    const again = await councilA.as.finance.post(`${path}/commit`);
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body.type).toBe('/problems/conflict');
    expect((await councilA.as.finance.patch(path, { headerRow: 1 })).status).toBe(409);
    expect((await councilA.as.reader.post(`${path}/commit`)).status).toBe(403);
    expect((await councilB.as.finance.get(path)).status).toBe(404);
    expect((await councilB.as.finance.post(`${path}/commit`)).status).toBe(404);

    // Council B writes throughout; none of it waits for A's commit.
    const writes: ApiResponse[] = [];
    for (let round = 0; round < 5; round++) {
      writes.push(
        ...(await Promise.all([
          councilB.as.finance.post(`/api/v1/commitments/${b.lineIds[0]}/spend`, { amount: '10.00', spentOn: '2025-06-30', reference: `B-${round}` }),
          councilB.as.finance.post(`/api/v1/grants/${b.grantId}/commitments`, { title: `Hub ${round}`, category: 'family_help_delivery', amount: '100.00' }),
          councilB.as.reader.get(`/api/v1/grants/${b.grantId}/summary`),
        ])),
      );
    }
    expect(writes.map((write) => write.status)).toEqual(Array.from({ length: 5 }, () => [201, 201, 200]).flat());
    expect((await councilA.as.reader.get(path)).body.status).toBe('committing');

    await letGo();
    const seen: number[] = [];
    const finished = await waitFor(
      () => councilA.as.reader.get(path),
      (answer) => {
        seen.push(answer.body.progress.done);
        return answer.body.status !== 'committing';
      },
      'the commit to end',
    );
    expect(finished.body).toMatchObject({ status: 'committed', progress: { done: rows, total: rows }, failure: null, result: { created: { count: rows, total: '37020.00' } } });
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(await entriesIn(a.grantId)).toEqual({ count: rows, total: '37020.00', grantSpent: '37020.00' });
    const lineTotals = await holder.query<{ ok: boolean }>(
      `SELECT bool_and(c.spent = coalesce((SELECT sum(e.amount) FROM spend_entries e WHERE e.commitment_id = c.id), 0)) AS ok FROM commitments c WHERE c.grant_id = $1`,
      [a.grantId],
    );
    expect(lineTotals.rows[0]!.ok).toBe(true);

    const replayed = await councilA.as.finance.post(`${path}/commit`);
    expect([replayed.status, replayed.headers['idempotent-replayed'], replayed.body.created.count]).toEqual([200, 'true', rows]);
    for (const council of [councilA, councilB]) {
      expect((await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`)).body).toMatchObject({ ok: true });
    }
    const audited = await holder.query<{ count: number }>(`SELECT count(*)::int AS count FROM audit_records WHERE chain_id = $1 AND entity = 'spend'`, [councilA.id]);
    expect(audited.rows[0]!.count).toBe(rows);
  });

  it('writes nothing when a payment is refused, and says which and why', async () => {
    const rows = 2_500;
    // £25,500 to spend: 2,499 payments of £10 fit (£24,990), the last (£1,000) does not.
    const a = await ledgerGrant(testApp, 'Over-allocated Council', '25500.00', [{ category: 'family_help_delivery', amount: '20000.00' }]);
    const councilA = a.council;
    const preview = await upload(councilA.as.finance, a.grantId, 'spend', { name: 'ledger.csv', content: ledgerCsv(rows, '10.00', 1, 'OV', '1000.00') });
    expect([preview.status, preview.body.canCommit]).toEqual([201, true]);
    const path = `/api/v1/imports/${preview.body.id}`;
    const started = await councilA.as.finance.post(`${path}/commit`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const failed = await waitFor(
      () => councilA.as.reader.get(path),
      (answer) => answer.body.status !== 'committing',
      'the commit to end',
    );
    expect(failed.body).toMatchObject({
      status: 'failed',
      progress: { done: 0, total: rows },
      failure: { type: '/problems/over-allocation', status: 422, row: rows + 1, attempted: '1000.00' },
    });
    expect(failed.body.failure.detail).toMatch(/^Row 2501 \(payment OV-2500 on line \d+\): .*Nothing was imported\.$/);
    expect(await entriesIn(a.grantId)).toEqual({ count: 0, total: '0', grantSpent: '0.00' });
    const audited = await holder.query<{ count: number }>(`SELECT count(*)::int AS count FROM audit_records WHERE entity = 'spend' AND after->>'reference' LIKE 'OV-%'`);
    expect(audited.rows[0]!.count).toBe(0);
    // A failed import can be committed again; it fails the same way.
    expect((await councilA.as.finance.post(`${path}/commit`)).status).toBe(202);
    await waitFor(
      () => councilA.as.reader.get(path),
      (answer) => answer.body.status === 'failed',
      'the second commit to fail',
    );
    expect(await entriesIn(a.grantId)).toMatchObject({ count: 0 });
  });

  it('keeps the cap when a long commit races hand entry on the same grant: exactly one of them wins', async () => {
    // Transformation is capped at 30% of £1,000,000: £300,000.
    const a = await ledgerGrant(testApp, 'Racing Council', '1000000.00', [
      { category: 'transformation', amount: '1.00' },
      { category: 'transformation', amount: '1.00' },
    ]);
    const councilA = a.council;
    // 2,999 × £100 on the first line: £299,900 + £1 of the second, inside the cap; £200 more on the second breaks it.
    const csv = ledgerCsv(2_999, '100.00', 1, 'TR');
    const preview = await upload(councilA.as.finance, a.grantId, 'spend', { name: 'ledger.csv', content: csv });
    expect([preview.status, preview.body.canCommit]).toEqual([201, true]);
    const path = `/api/v1/imports/${preview.body.id}`;
    const [started, byHand] = await Promise.all([
      councilA.as.finance.post(`${path}/commit`),
      councilA.as.finance.post(`/api/v1/commitments/${a.lineIds[1]}/spend`, { amount: '200.00', spentOn: '2025-06-30', reference: 'HAND-1' }),
    ]);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const ended = await waitFor(
      () => councilA.as.reader.get(path),
      (answer) => answer.body.status !== 'committing',
      'the commit to end',
    );
    const handWon = byHand.status === 201;
    const importWon = ended.body.status === 'committed';
    expect([byHand.status]).toContain(handWon ? 201 : byHand.status === 503 ? 503 : 422);
    expect(Number(handWon) + Number(importWon), `hand ${byHand.status}, import ${ended.body.status}`).toBe(1);
    if (!importWon) expect(ended.body.failure.type).toBe('/problems/cap-exceeded');
    const exposure = await holder.query<{ exposure: string; cap: string }>(
      `SELECT exposure::text, cap::text FROM category_cap_position($1::uuid, (SELECT category_id FROM commitments WHERE id = $2), NULL)`,
      [a.grantId, a.lineIds[0]],
    );
    expect(Number(exposure.rows[0]!.exposure)).toBeLessThanOrEqual(Number(exposure.rows[0]!.cap));
  });

  it('refuses at the database a single statement of many payments that would break a cap, and keeps totals for one that fits', async () => {
    const a = await ledgerGrant(testApp, 'Backstop Council', '1000000.00', [{ category: 'transformation', amount: '1.00' }]);
    const councilA = a.council;
    const insertMany = (count: number, amount: string) =>
      holder.query(
        `INSERT INTO spend_entries (organisation_id, grant_id, commitment_id, amount, spent_on)
         SELECT $1, $2, $3, $4::numeric, '2025-06-30' FROM generate_series(1, $5::int)`,
        [councilA.id, a.grantId, a.lineIds[0], amount, count],
      );
    await expect(insertMany(301, '1000.00')).rejects.toMatchObject({ constraint: 'ringfence_category_cap' });
    expect(await entriesIn(a.grantId)).toMatchObject({ count: 0, grantSpent: '0.00' });
    await insertMany(300, '1000.00');
    expect(await entriesIn(a.grantId)).toEqual({ count: 300, total: '300000.00', grantSpent: '300000.00' });
    const line = await holder.query<{ spent: string }>('SELECT spent::text FROM commitments WHERE id = $1', [a.lineIds[0]]);
    expect(line.rows[0]!.spent).toBe('300000.00');
  });

  it('writes a long commit from a thread of its own at a lower priority (nice 10), which ends with the commit', async () => {
    const rows = 3_000;
    const a = await ledgerGrant(testApp, 'Threaded Council', '10000000.00', [{ category: 'family_help_delivery', amount: '1000000.00' }]);
    const preview = await upload(a.council.as.finance, a.grantId, 'spend', { name: 'ledger.csv', content: ledgerCsv(rows, '1.00', 1, 'TH') });
    expect(preview.status).toBe(201);
    const path = `/api/v1/imports/${preview.body.id}`;
    expect(lowerPriorityThreads()).toEqual([]);
    await holdCommitsInto(a.grantId, 2_000);
    expect((await a.council.as.finance.post(`${path}/commit`)).status).toBe(202);
    await waitFor(
      () => a.council.as.reader.get(path),
      (answer) => answer.body.progress?.done === 2_000,
      'the first 2,000 payments',
    );
    // Held in the database part-way: the commit's thread is alive, at nice 10, beside this one at 0.
    expect(lowerPriorityThreads()).toHaveLength(1);
    expect(niceOf('self')).toBe(0);
    await letGo();
    await waitFor(
      () => a.council.as.reader.get(path),
      (answer) => answer.body.status !== 'committing',
      'the commit to end',
    );
    expect(await entriesIn(a.grantId)).toEqual({ count: rows, total: '3000.00', grantSpent: '3000.00' });
    await waitFor(
      async () => lowerPriorityThreads(),
      (threads) => threads.length === 0,
      'the commit thread to end',
    );
  });

  // Three previews, and a third commit that waits out the pool's 5 s before it is refused.
  it('runs no more long commits at once than the long-job pool has connections: the next is told to commit again', async () => {
    const rows = 2_100;
    const grants = await Promise.all(
      ['Pool Council 1', 'Pool Council 2', 'Pool Council 3'].map((name) => ledgerGrant(testApp, name, '10000000.00', [{ category: 'family_help_delivery', amount: '1000000.00' }])),
    );
    const paths: string[] = [];
    for (const [index, grant] of grants.entries()) {
      const preview = await upload(grant.council.as.finance, grant.grantId, 'spend', { name: 'ledger.csv', content: ledgerCsv(rows, '1.00', 1, `PL${index}`) });
      expect(preview.status).toBe(201);
      paths.push(`/api/v1/imports/${preview.body.id}`);
    }
    // The first two commits hold at their first insert, each with one of the pool's two connections.
    await holder.query(`
      CREATE OR REPLACE FUNCTION test_hold_spend() RETURNS trigger LANGUAGE plpgsql SET lock_timeout = 0 AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM spend_entries WHERE grant_id IN ('${grants[0]!.grantId}', '${grants[1]!.grantId}')) THEN PERFORM pg_advisory_xact_lock_shared(${HOLD}); END IF;
        RETURN NULL;
      END $$`);
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    for (const index of [0, 1]) expect((await grants[index]!.council.as.finance.post(`${paths[index]}/commit`)).status).toBe(202);
    await waitFor(
      async () =>
        (await holder.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [HOLD])).rows[0]!
          .waiting,
      (waiting) => waiting === 2,
      'both commits to hold',
    );
    expect((await grants[2]!.council.as.finance.post(`${paths[2]}/commit`)).status).toBe(202);
    const third = await waitFor(
      () => grants[2]!.council.as.reader.get(paths[2]!),
      (answer) => answer.body.status !== 'committing',
      'the third commit to end',
    );
    expect(third.body).toMatchObject({ status: 'failed', failure: { type: '/problems/unavailable', status: 503 } });
    expect(await entriesIn(grants[2]!.grantId)).toMatchObject({ count: 0 });
    await letGo();
    for (const index of [0, 1]) {
      const ended = await waitFor(
        () => grants[index]!.council.as.reader.get(paths[index]!),
        (answer) => answer.body.status !== 'committing',
        'a held commit to end',
      );
      expect(ended.body.status).toBe('committed');
    }
    // With a connection free again, the third commits when asked again.
    expect((await grants[2]!.council.as.finance.post(`${paths[2]}/commit`)).status).toBe(202);
    const again = await waitFor(
      () => grants[2]!.council.as.reader.get(paths[2]!),
      (answer) => answer.body.status !== 'committing',
      'the third commit, again',
    );
    expect(again.body.status).toBe('committed');
    expect(await entriesIn(grants[2]!.grantId)).toMatchObject({ count: rows });
  }, 90_000);

  it('counts the requests in flight that a commit gives way to, back to none once each is answered or abandoned', async () => {
    const inFlight = testApp.app.importJobs.requestsInFlight;
    const council = await createOrganisation(testApp, 'Counting Council');
    await Promise.all([
      council.as.reader.get('/api/v1/schemes'),
      council.as.reader.get('/api/v1/grants/not-a-grant/summary'),
      apiAs(testApp.app, 'rf_wrong').get('/api/v1/schemes'),
    ]);
    expect(Atomics.load(inFlight, 0)).toBe(0);
    // Over a real socket, a client that goes away before its answer leaves no count behind: its
    // headers arrive (counted, and signed in), its promised body never does, and then the socket is gone.
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = testApp.app.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/v1/organisations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${PLATFORM_ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
    );
    await waitFor(
      async () => Atomics.load(inFlight, 0),
      (count) => count === 1,
      'the request to arrive',
    );
    socket.destroy();
    await waitFor(
      async () => Atomics.load(inFlight, 0),
      (count) => count === 0,
      'the abandoned request to be uncounted',
    );
  });

  it('fails a commit under way cleanly when the app shuts down: nothing half-written', async () => {
    const rows = 3_000;
    const a = await ledgerGrant(testApp, 'Shut-down Council', '10000000.00', [{ category: 'family_help_delivery', amount: '1000000.00' }]);
    const councilA = a.council;
    const preview = await upload(councilA.as.finance, a.grantId, 'spend', { name: 'ledger.csv', content: ledgerCsv(rows, '1.00', 1, 'SD') });
    expect(preview.status).toBe(201);
    const path = `/api/v1/imports/${preview.body.id}`;
    // A second instance of the app on the same database, to be shut down mid-commit.
    const other = await buildApp({
      config: loadConfig({ DATABASE_URL: testApp.database.url, RINGFENCE_ADMIN_TOKEN: PLATFORM_ADMIN_TOKEN, LOG_LEVEL: 'silent' }),
      database: testApp.database.handle,
    });
    await other.ready();
    const token = await councilA.as.admin.post(`/api/v1/users/${councilA.userIds.finance}/tokens`, { name: 'second instance', organisationId: councilA.id });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    await holdCommitsInto(a.grantId, 2_000);
    const started = await apiAs(other, token.body.token).post(`${path}/commit`);
    expect(started.status).toBe(202);
    await waitFor(
      () => councilA.as.reader.get(path),
      (answer) => answer.body.progress?.done === 2_000,
      'the first 2,000 payments',
    );
    const closing = other.close();
    // The commit runs in a thread of its own: let it go on only once the shutdown has told it to stop.
    await waitFor(
      async () => other.importJobs.stopping,
      (stopping) => stopping,
      'the shutdown to reach the commit',
    );
    await letGo();
    await closing;
    const after = await councilA.as.reader.get(path);
    expect(after.body).toMatchObject({ status: 'failed', failure: { type: '/problems/unavailable' } });
    expect(after.body.failure.detail).toMatch(/shut down/);
    expect(await entriesIn(a.grantId)).toEqual({ count: 0, total: '0', grantSpent: '0.00' });
  });
});
