import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/tables.ts';

/** The cluster `npm run cluster` starts (scripts/cluster.sh): its ports and its admin token. */
export const CLUSTER = {
  balancer: 'http://127.0.0.1:3100',
  instances: ['http://127.0.0.1:3101', 'http://127.0.0.1:3102'],
  /** Direct to the primary and the replica as the superuser, for what a test must arrange or watch. */
  primaryUrl: 'postgres://postgres@127.0.0.1:5441/ringfence',
  replicaUrl: 'postgres://postgres@127.0.0.1:5442/ringfence',
  /** How far behind a report read from the replica may be: the lag bound plus one look (docs/cluster.md). */
  documentedLagMs: 3_000,
} as const;

const ROOT = new URL('../../', import.meta.url);

function adminToken(): string {
  return readFileSync(new URL('.cluster/admin-token', ROOT), 'utf8').trim();
}

/** Starts whatever of the cluster is not running (an instance a test stopped), as `npm run cluster` does. */
export async function clusterUp(): Promise<void> {
  await promisify(execFile)('bash', [new URL('scripts/cluster.sh', ROOT).pathname, 'up'], { env: { ...process.env, LOG_LEVEL: 'warn' } });
}

export function instancePid(index: number): number {
  return Number(readFileSync(new URL(`.cluster/run/app-${index + 1}.pid`, ROOT), 'utf8').trim());
}

export function connect(url: string): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/** An API client over real HTTP, to one instance or through the balancer. */
export function client(base: string, token: string) {
  async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a 502 page from the balancer): kept as text.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
  return {
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body: unknown, headers?: Record<string, string>) => send('POST', path, body, headers),
  };
}

export type Client = ReturnType<typeof client>;

export interface Council {
  readonly id: string;
  readonly code: string;
  readonly financeUserId: string;
  /** The finance officer's token, through the balancer and on each instance. */
  readonly finance: { readonly balancer: Client; readonly instances: Client[] };
  readonly financeEmail: string;
}

/** A council with a finance officer, made through the balancer by the platform administrator. */
export async function createCouncil(): Promise<Council> {
  const admin = client(CLUSTER.balancer, adminToken());
  const code = `E${String(randomInt(100_000_000)).padStart(8, '0')}`;
  const created = await admin.post('/api/v1/organisations', { name: `Cluster Council ${code}`, code, emailDomains: ['cluster.gov.uk'] });
  if (created.status !== 201) throw new Error(`organisation: ${created.status} ${JSON.stringify(created.body)}`);
  const email = `finance.${code.toLowerCase()}@cluster.gov.uk`;
  const member = await admin.post(`/api/v1/organisations/${created.body.id}/users`, { email, name: 'Finance officer', role: 'finance' });
  if (member.status !== 201) throw new Error(`member: ${member.status} ${JSON.stringify(member.body)}`);
  const token = await admin.post(`/api/v1/users/${member.body.id}/tokens`, { name: 'cluster tests', organisationId: created.body.id });
  if (token.status !== 201) throw new Error(`token: ${token.status} ${JSON.stringify(token.body)}`);
  const finance = { balancer: client(CLUSTER.balancer, token.body.token), instances: CLUSTER.instances.map((base) => client(base, token.body.token)) };
  return { id: created.body.id, code, financeUserId: member.body.id, finance, financeEmail: email };
}

export async function createGrant(council: Council, amount = '1000.00', financialYear = '2025-26'): Promise<string> {
  const response = await council.finance.balancer.post(`/api/v1/organisations/${council.id}/grants`, {
    scheme: 'csc-prevention',
    financialYear,
    tranches: [{ amount, description: 'Prevention Grant', status: 'confirmed' }],
  });
  if (response.status !== 201) throw new Error(`grant: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id;
}
