import { existsSync } from 'node:fs';
import pg from 'pg';

/**
 * Where the tests find a PostgreSQL server, in this order: DATABASE_URL; a throwaway container
 * when a Docker engine answers; a server on 127.0.0.1:5432 (these machines run one). The URL
 * returned is an administrative connection that may CREATE DATABASE.
 */
export interface PostgresServer {
  readonly adminUrl: string;
  readonly source: string;
  stop(): Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function dockerMayBeThere(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock') || existsSync(`${process.env.HOME}/.docker/run/docker.sock`);
}

async function tryTestcontainers(): Promise<PostgresServer | null> {
  if (!dockerMayBeThere()) return null;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return null;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:15-alpine').start();
  return { adminUrl: container.getConnectionUri(), source: 'testcontainers', stop: async () => void (await container.stop()) };
}

export async function findPostgresServer(): Promise<PostgresServer> {
  const fromEnvironment = process.env.DATABASE_URL;
  if (fromEnvironment) {
    if (await answers(fromEnvironment)) return { adminUrl: fromEnvironment, source: 'DATABASE_URL', stop: async () => undefined };
    throw new Error(`DATABASE_URL is set but PostgreSQL does not answer there (${new URL(fromEnvironment).host}).`);
  }
  const container = await tryTestcontainers();
  if (container) return container;
  if (await answers(LOCAL_URL)) return { adminUrl: LOCAL_URL, source: '127.0.0.1:5432', stop: async () => undefined };
  throw new Error(
    'The tests need PostgreSQL and found none. Give them one of: DATABASE_URL pointing at a server where the user may ' +
      'create databases; a Docker engine, for testcontainers to start postgres:15; or a server answering on 127.0.0.1:5432 ' +
      '(user postgres, trust auth).',
  );
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
