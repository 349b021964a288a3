import { randomBytes, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPassword } from '../../src/auth/users-service.ts';
import { type Answer, CLUSTER, clusterUp, connect, type Council, createCouncil, createGrant, instancePid } from './support.ts';

/**
 * The claims of README's "Beyond one machine", run on the cluster `npm run cluster` starts
 * (nginx over two instances, PgBouncer in transaction mode, a streaming replica; docs/cluster.md).
 * `npm run test:cluster` runs this file alone; `npm test` never needs the cluster.
 */
const primary = connect(CLUSTER.primaryUrl);
const replica = connect(CLUSTER.replicaUrl);
let council: Council;

beforeAll(async () => {
  council = await createCouncil();
});
afterAll(async () => {
  await Promise.all([primary.destroy(), replica.destroy()]);
});

const line = (title: string, amount = '10.00', category = 'family_help_delivery') => ({ title, category, amount });

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

describe('sessions and sign-in limits are the cluster’s, not an instance’s', () => {
  it('signs in on one instance and uses the session on the other', async () => {
    const password = `cluster-${randomBytes(8).toString('hex')}`;
    await setPassword(primary, { actorId: null }, council.financeUserId, password);
    const [first, second] = CLUSTER.instances;
    const form = await fetch(`${first}/sign-in`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(csrf).toBeDefined();
    const signedIn = await fetch(`${first}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(form) },
      body: new URLSearchParams({ email: council.financeEmail, password, _csrf: csrf! }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const session = cookiesOf(signedIn);
    const elsewhere = await fetch(`${second}/organisations`, { redirect: 'manual', headers: { cookie: session } });
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).toContain(`Cluster Council ${council.code}`);
    // And without the cookie the same page sends a stranger to sign in.
    const stranger = await fetch(`${second}/organisations`, { redirect: 'manual' });
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get('location')).toMatch(/^\/sign-in/);
  });

  it('counts sign-in attempts from one address on every instance together', async () => {
    // Each instance believes X-Forwarded-For from 127.0.0.1 (RINGFENCE_TRUST_PROXY), as behind nginx.
    const address = `198.51.100.${randomInt(1, 255)}`;
    const attempt = (instance: number) =>
      fetch(`${CLUSTER.instances[instance]}/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
        body: new URLSearchParams({ email: `nobody-${randomInt(1e9)}@cluster.gov.uk`, password: 'wrong' }).toString(),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await attempt(i % 2)).status);
    expect(statuses).not.toContain(429);
    // The 21st, on either instance, is over the shared limit of 20 in five minutes.
    const [overOnFirst, overOnSecond] = [await attempt(0), await attempt(1)];
    expect([overOnFirst.status, overOnSecond.status]).toEqual([429, 429]);
    expect(Number(overOnSecond.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('writes raced across instances', () => {
  it('creates one record for one Idempotency-Key sent to both instances at once', async () => {
    const grantId = await createGrant(council);
    const key = `race-${randomBytes(6).toString('hex')}`;
    const body = line(`Idempotent ${key}`);
    const send = (instance: number) => council.finance.instances[instance]!.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': key });
    const answers = await Promise.all([send(0), send(1)]);
    for (const answer of answers) expect([201, 409]).toContain(answer.status);
    // A client told 409 (the other instance still had it) asks again with the same key.
    const settled = await Promise.all(answers.map(async (answer, instance) => (answer.status === 201 ? answer : retryUntilCreated(() => send(instance)))));
    expect(settled[0]!.body.id).toBe(settled[1]!.body.id);
    const lines = await council.finance.instances[1]!.get(`/api/v1/grants/${grantId}/commitments`);
    expect(lines.body.items.filter((l: { title: string }) => l.title === body.title)).toHaveLength(1);
  });

  it('holds the 30% cap when both instances race for the last of the headroom', async () => {
    const grantId = await createGrant(council, '1000.00', '2026-27');
    // Transformation's cap is 30% of 1000.00: 300.00, so 15 of 24 lines of 20.00 fit.
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => council.finance.instances[i % 2]!.post(`/api/v1/grants/${grantId}/commitments`, line(`Capped ${i}`, '20.00', 'transformation'))),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(15);
    expect(statuses.filter((s) => s === 422)).toHaveLength(9);
    const { rows } = await sql<{ total: string }>`
      SELECT coalesce(sum(c.amount), 0) AS total FROM commitments c JOIN scheme_categories sc ON sc.id = c.category_id
      WHERE c.grant_id = ${grantId} AND sc.code = 'transformation'`.execute(primary);
    expect(rows[0]!.total).toBe('300.00');
  });
});

/** What a client does with a write that got no answer, or 409 or 5xx: the same request again, same key. */
async function retryUntilCreated(send: () => Promise<Answer>, deadline = Date.now() + 30_000): Promise<Answer> {
  for (;;) {
    const answer = await send().catch((error: unknown) => ({ status: 0, headers: new Headers(), body: String(error) }));
    if (answer.status === 201) return answer;
    if (![0, 409, 502, 503, 504].includes(answer.status)) throw new Error(`write refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    if (Date.now() > deadline) throw new Error(`write never completed: last ${answer.status}`);
    // A client's back-off between attempts, not a wait for the test's sake.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('an instance lost mid-traffic', () => {
  afterAll(async () => {
    await clusterUp();
  });

  it('sends reads to the other instance, and clients retrying writes with their keys complete each exactly once', async () => {
    const grantId = await createGrant(council, '100000.00', '2027-28');
    const writes = 40;
    const reads: number[] = [];
    let written = 0;
    let killed = false;
    const batch = randomBytes(4).toString('hex');
    const writer = async (worker: number) => {
      for (let i = worker; i < writes; i += 4) {
        const key = `kill-${batch}-${i}`;
        await retryUntilCreated(() => council.finance.balancer.post(`/api/v1/grants/${grantId}/commitments`, line(`Kill ${batch} ${i}`), { 'idempotency-key': key }));
        written += 1;
        if (written === 10 && !killed) {
          killed = true;
          process.kill(instancePid(1), 'SIGKILL');
        }
      }
    };
    const reader = async () => {
      while (written < writes) reads.push((await council.finance.balancer.get(`/api/v1/grants/${grantId}/summary`)).status);
    };
    await Promise.all([writer(0), writer(1), writer(2), writer(3), reader(), reader()]);
    expect(killed).toBe(true);
    expect(reads.length).toBeGreaterThan(10);
    expect(reads.filter((status) => status !== 200)).toEqual([]);
    const { rows } = await sql<{ title: string; copies: number }>`
      SELECT title, count(*)::int AS copies FROM commitments WHERE grant_id = ${grantId} GROUP BY title`.execute(primary);
    expect(rows).toHaveLength(writes);
    expect(rows.every((row) => row.copies === 1)).toBe(true);
  });
});

describe('reports from the streaming replica', () => {
  const ready = async (base: string) => (await fetch(`${base}/ready`)).json() as Promise<{ reads?: string; replicaLagSeconds?: number | null }>;
  const readsOnEvery = (where: string) =>
    expect.poll(async () => (await Promise.all(CLUSTER.instances.map(ready))).map((r) => r.reads), { timeout: 20_000, interval: 200 }).toEqual(CLUSTER.instances.map(() => where));
  const tableShows = async (grantId: string, title: string) => {
    const table = await council.finance.balancer.get(`/api/v1/grants/${grantId}/reports/cabinet-table`);
    return table.status === 200 && JSON.stringify(table.body).includes(title);
  };

  it('shows a write within the documented lag, and reads from the primary while the replica lags', async () => {
    await readsOnEvery('replica');
    const grantId = await createGrant(council, '1000.00', '2028-29');
    const written = Date.now();
    await council.finance.balancer.post(`/api/v1/grants/${grantId}/commitments`, line('Seen on the replica'));
    await expect.poll(() => tableShows(grantId, 'Seen on the replica'), { timeout: 10_000, interval: 50 }).toBe(true);
    expect(Date.now() - written).toBeLessThan(CLUSTER.documentedLagMs);

    // Replay held: what is written now reaches the replica late, so reads go to the primary.
    await sql`SELECT pg_wal_replay_pause()`.execute(replica);
    try {
      await council.finance.balancer.post(`/api/v1/grants/${grantId}/commitments`, line('Written while the replica lags'));
      await readsOnEvery('primary');
      expect(await tableShows(grantId, 'Written while the replica lags')).toBe(true);
    } finally {
      await sql`SELECT pg_wal_replay_resume()`.execute(replica);
    }
    await readsOnEvery('replica');
    expect(await tableShows(grantId, 'Written while the replica lags')).toBe(true);
  });
});
