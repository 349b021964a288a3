import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { bootstrapPlatformAdmin } from '../../src/auth/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.ts';
import { apiAs, PLATFORM_ADMIN_TOKEN } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { withAdminClient } from '../support/postgres-server.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/** The app on a database of its own, reached only through a TCP proxy the test can cut or hang. */
async function appBehindProxy() {
  const database = await createTestDatabase();
  await bootstrapPlatformAdmin(database.handle.db, PLATFORM_ADMIN_TOKEN);
  const target = new URL(database.url);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const viaProxy = new URL(database.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const proxied = connectPostgres(viaProxy.toString(), { poolSize: 5 });
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: viaProxy.toString() }), database: proxied });
  return { database, proxy, proxied, app };
}

/** The database goes away mid-traffic and comes back; the app answers 503 meanwhile and recovers by itself. */
describe('a database outage', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let proxied: DatabaseHandle;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    ({ database, proxy, proxied, app } = await appBehindProxy());
  });
  afterAll(async () => {
    await app?.close();
    await proxied?.close();
    await proxy?.stop();
    await database?.drop();
  });

  it('answers 503 quickly while cut, succeeds after, and leaves no partial records', async () => {
    const admin = apiAs(app, PLATFORM_ADMIN_TOKEN);
    const organisation = await admin.post('/api/v1/organisations', { name: 'Outage Council', code: 'E07000001' });
    const grant = await admin.post(`/api/v1/organisations/${organisation.body.id}/grants`, {
      scheme: 'csc-prevention',
      financialYear: '2025-26',
      tranches: [{ amount: '1000000.00', description: 'Grant', status: 'confirmed' }],
    });
    expect(grant.status).toBe(201);
    const create = (i: number) => admin.post(`/api/v1/grants/${grant.body.id}/commitments`, { title: `Line ${i}`, category: 'family_help_delivery', amount: '10.00' });

    const before = await Promise.all([0, 1, 2, 3, 4].map(create));
    expect(before.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);

    // Cut while a burst is under way.
    const burst = Promise.all(Array.from({ length: 10 }, (_, i) => create(100 + i)));
    await proxy.cut();
    const burstResults = await burst;
    expect(burstResults.every((r) => r.status === 201 || r.status === 503)).toBe(true);

    const started = Date.now();
    const during = await Promise.all([create(200), create(201), app.inject({ method: 'GET', url: '/ready' })]);
    const elapsed = Date.now() - started;
    expect(during[0].status).toBe(503);
    expect(during[0].body).toMatchObject({ type: '/problems/unavailable', status: 503 });
    expect(during[1].status).toBe(503);
    expect(during[2].statusCode).toBe(503);
    // Not hung: each gave up within the connection timeout, not a TCP timeout.
    expect(elapsed).toBeLessThan(10_000);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    await proxy.restore();
    let ready = 503;
    for (let attempt = 0; attempt < 50 && ready !== 200; attempt++) {
      ready = (await app.inject({ method: 'GET', url: '/ready' })).statusCode;
      if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready).toBe(200);
    const after = await Promise.all([300, 301, 302].map(create));
    expect(after.map((r) => r.status)).toEqual([201, 201, 201]);

    // Every acknowledged line is there, and every line there is whole: versioned and audited.
    const acknowledged = [...before, ...burstResults, ...after].filter((r) => r.status === 201).map((r) => r.body.id as string);
    const direct = database.handle.db;
    const rows = await direct.selectFrom('commitments').select('id').where('grant_id', '=', grant.body.id).execute();
    const ids = new Set(rows.map((r) => r.id));
    for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    const orphans = await sql<{ n: number }>`
      SELECT count(*) AS n FROM commitments c
      WHERE c.grant_id = ${grant.body.id}
        AND (NOT EXISTS (SELECT 1 FROM commitment_versions v WHERE v.commitment_id = c.id)
          OR NOT EXISTS (SELECT 1 FROM audit_records a WHERE a.entity = 'commitment' AND a.entity_id = c.id::text))`.execute(direct);
    expect(Number(orphans.rows[0]!.n)).toBe(0);
    const verify = await admin.get(`/api/v1/organisations/${organisation.body.id}/audit/verify`);
    expect(verify.body.ok).toBe(true);
  });
});

/** The database host stops answering but keeps its connections open: no refusal ever comes, so only our own timeouts end the wait. */
describe('a hung database', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let proxied: DatabaseHandle;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    ({ database, proxy, proxied, app } = await appBehindProxy());
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    await proxied?.close();
    await database?.drop();
  });

  it('answers 503 with Retry-After within ten seconds, on connections it held and on new ones', async () => {
    const admin = apiAs(app, PLATFORM_ADMIN_TOKEN);
    // A connection is open and idle in the pool when the host hangs, and more are opened after.
    expect((await admin.get('/api/v1/organisations')).status).toBe(200);
    proxy.hang();

    const started = Date.now();
    const answers = await Promise.all([
      admin.get('/api/v1/organisations'),
      admin.post('/api/v1/organisations', { name: 'Hung Council', code: 'E07000002' }),
      admin.get('/api/v1/schemes'),
      app.inject({ method: 'GET', url: '/ready' }),
    ]);
    const elapsed = Date.now() - started;
    for (const answer of answers.slice(0, 3) as { status: number; body: { type: string }; headers: Record<string, unknown> }[]) {
      expect(answer.status).toBe(503);
      expect(answer.body.type).toBe('/problems/unavailable');
      expect(answer.headers['retry-after']).toBe('5');
    }
    expect((answers[3] as { statusCode: number }).statusCode).toBe(503);
    expect(elapsed).toBeLessThan(10_000);
  }, 20_000);
});

/** The server is up but turns connections away: a database closed to connections (55000), a role at its connection limit (53300). */
describe('a database refusing connections', () => {
  let database: TestDatabase;
  const role = `ringfence_limited_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`${sql.raw(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`)}`.execute(database.handle.db);
  });
  afterAll(async () => {
    await database?.drop();
    await withAdminClient(inject('postgresAdminUrl'), (client) => client.query(`DROP ROLE IF EXISTS ${role}`));
  });

  const expectUnavailable = async (url: string) => {
    const handle = connectPostgres(url, { poolSize: 2 });
    const app = await buildApp({ config: loadConfig({ DATABASE_URL: url }), database: handle });
    try {
      const call = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer rf_anything' } });
      expect(call.statusCode).toBe(503);
      expect(call.headers['retry-after']).toBe('5');
      expect(call.json()).toMatchObject({ type: '/problems/unavailable', status: 503 });
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    } finally {
      await app.close();
      await handle.close();
    }
  };

  it('answers 503 when the role has no connections left (53300)', async () => {
    const url = new URL(database.url);
    url.username = role;
    await expectUnavailable(url.toString());
  });

  it('answers 503 when the database accepts no connections (55000)', async () => {
    await withAdminClient(inject('postgresAdminUrl'), (client) => client.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS false`));
    await expectUnavailable(database.url);
  });
});
