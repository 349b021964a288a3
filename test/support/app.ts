import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { bootstrapPlatformAdmin } from '../../src/auth/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/http/clock.ts';
import type { AnyReport } from '../../src/reports/definition.ts';
import { connectAsAppRole, createTestDatabase, type TestDatabase } from './database.ts';

export const PLATFORM_ADMIN_TOKEN = 'test-platform-admin-token-0123456789abcdef';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  readonly adminToken: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly clock?: Clock;
  readonly reports?: readonly AnyReport[];
  /** Connect the app as a role that owns nothing, as production's two roles do; `database.handle` stays the owner (a superuser). */
  readonly appRole?: boolean;
  /** RINGFENCE_AUDIT_KEY; absent, the app makes its own. */
  readonly auditKey?: string;
}

/** The real app over a real, private PostgreSQL database, with a platform administrator; the system clock and the registry's reports unless others are given. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const appRole = options.appRole ? await connectAsAppRole(database) : undefined;
  const config = loadConfig({
    DATABASE_URL: appRole?.url ?? database.url,
    RINGFENCE_ADMIN_TOKEN: PLATFORM_ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...(options.auditKey ? { RINGFENCE_AUDIT_KEY: options.auditKey } : {}),
  });
  await bootstrapPlatformAdmin(database.handle.db, config.adminToken);
  const app = await buildApp({ config, database: appRole?.handle ?? database.handle, clock: options.clock, reports: options.reports });
  await app.ready();
  return {
    app,
    database,
    adminToken: PLATFORM_ADMIN_TOKEN,
    async close() {
      await app.close();
      if (appRole) await appRole.drop();
      else await database.drop();
    },
  };
}

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string | string[] | number | undefined>;
}

export type Api = ReturnType<typeof apiAs>;

/** HTTP through app.inject, as one caller. */
export function apiAs(app: FastifyInstance, token: string | null) {
  const send = async <T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const type = String(response.headers['content-type'] ?? '');
    return {
      status: response.statusCode,
      body: (type.includes('json') ? response.json() : response.body) as T,
      headers: response.headers,
    };
  };
  return {
    get: <T = any>(url: string, headers?: Record<string, string>) => send<T>('GET', url, undefined, headers),
    post: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) => send<T>('POST', url, body, headers),
    put: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) => send<T>('PUT', url, body, headers),
    patch: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) => send<T>('PATCH', url, body, headers),
    delete: <T = any>(url: string, headers?: Record<string, string>) => send<T>('DELETE', url, undefined, headers),
  };
}
