import { z } from 'zod';
import { parseAuditKey } from './audit/signing.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const environmentSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  // The role that owns the tables and runs the migrations; DATABASE_URL's role then owns nothing.
  DATABASE_OWNER_URL: z.string().url().optional(),
  // A streaming replica for reports and the audit trail; the primary serves them when it lags.
  DATABASE_READ_URL: z.string().url().optional(),
  DATABASE_READ_MAX_LAG_SECONDS: z.coerce.number().min(0).max(3600).default(2),
  // The load balancer's address(es), whose X-Forwarded-For is believed (Fastify's trustProxy).
  RINGFENCE_TRUST_PROXY: z.string().min(1).optional(),
  RINGFENCE_DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  // A short bootstrap token would be guessable: the floor is 32 characters (docs/api-conventions.md).
  RINGFENCE_ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_LONG_JOB_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(2),
  NODE_ENV: z.string().default('development'),
  // Encrypts the web sessions' cookies; anyone holding it could forge a session.
  RINGFENCE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // Signs the audit chains' checkpoints (Ed25519); the database is never given it.
  RINGFENCE_AUDIT_KEY: z.string().optional(),
});

export interface Config {
  /** Absent: run on embedded PGlite kept in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** The tables' owner, for migrations; absent: DATABASE_URL's role migrates and owns them. */
  readonly databaseOwnerUrl: string | undefined;
  /** A streaming replica for reports and the audit trail (src/db/read-routing.ts). */
  readonly databaseReadUrl: string | undefined;
  /** Past this lag, reads meant for the replica go to the primary. */
  readonly databaseReadMaxLagSeconds: number;
  /** Addresses (comma-separated, CIDR allowed) of the proxies whose X-Forwarded-For is believed. */
  readonly trustProxy: string | undefined;
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly adminToken: string | undefined;
  readonly logLevel: (typeof logLevels)[number];
  readonly databasePoolSize: number;
  /** Connections kept apart for long jobs (import commits), so they never take the requests' ones. */
  readonly databaseLongJobPoolSize: number;
  readonly production: boolean;
  /** Absent outside production: the web plugin keeps one in `dataDir` or makes one per process. */
  readonly sessionSecret: string | undefined;
  /** Ed25519 private key (PEM or base64 PKCS#8 DER). Absent outside production: see resolveAuditSigner. */
  readonly auditKey: string | undefined;
  /** Session cookies carry Secure everywhere but development and test, which run over plain http. */
  readonly secureCookies: boolean;
}

export class ConfigError extends Error {}

/** Reads the environment once; the result is frozen and passed down, never imported as a singleton. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(cleaned);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${reasons.join('; ')}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production' && !env.RINGFENCE_SESSION_SECRET) {
    throw new ConfigError('Invalid configuration: RINGFENCE_SESSION_SECRET: is required when NODE_ENV=production');
  }
  if (env.NODE_ENV === 'production' && !env.RINGFENCE_AUDIT_KEY) {
    throw new ConfigError('Invalid configuration: RINGFENCE_AUDIT_KEY: is required when NODE_ENV=production');
  }
  if (env.DATABASE_OWNER_URL && !env.DATABASE_URL) {
    throw new ConfigError('Invalid configuration: DATABASE_OWNER_URL: needs DATABASE_URL, the role the app connects as');
  }
  if (env.DATABASE_READ_URL && !env.DATABASE_URL) {
    throw new ConfigError('Invalid configuration: DATABASE_READ_URL: needs DATABASE_URL, the primary it replicates');
  }
  if (env.RINGFENCE_AUDIT_KEY) {
    try {
      parseAuditKey(env.RINGFENCE_AUDIT_KEY);
    } catch (error) {
      throw new ConfigError(`Invalid configuration: ${(error as Error).message}`, { cause: error });
    }
  }
  return Object.freeze({
    databaseUrl: env.DATABASE_URL,
    databaseOwnerUrl: env.DATABASE_OWNER_URL,
    databaseReadUrl: env.DATABASE_READ_URL,
    databaseReadMaxLagSeconds: env.DATABASE_READ_MAX_LAG_SECONDS,
    trustProxy: env.RINGFENCE_TRUST_PROXY,
    dataDir: env.RINGFENCE_DATA_DIR,
    port: env.PORT,
    host: env.HOST,
    adminToken: env.RINGFENCE_ADMIN_TOKEN,
    logLevel: env.LOG_LEVEL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseLongJobPoolSize: env.DATABASE_LONG_JOB_POOL_SIZE,
    production: env.NODE_ENV === 'production',
    sessionSecret: env.RINGFENCE_SESSION_SECRET,
    auditKey: env.RINGFENCE_AUDIT_KEY,
    secureCookies: env.NODE_ENV !== 'development' && env.NODE_ENV !== 'test',
  });
}
