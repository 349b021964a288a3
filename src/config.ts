import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const environmentSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  RINGFENCE_DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  // A short bootstrap token would be guessable: the floor is 32 characters (docs/api-conventions.md).
  RINGFENCE_ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  NODE_ENV: z.string().default('development'),
  // Encrypts the web sessions' cookies; anyone holding it could forge a session.
  RINGFENCE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

export interface Config {
  /** Absent: run on embedded PGlite kept in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly adminToken: string | undefined;
  readonly logLevel: (typeof logLevels)[number];
  readonly databasePoolSize: number;
  readonly production: boolean;
  /** Absent outside production: the web plugin keeps one in `dataDir` or makes one per process. */
  readonly sessionSecret: string | undefined;
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
  return Object.freeze({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.RINGFENCE_DATA_DIR,
    port: env.PORT,
    host: env.HOST,
    adminToken: env.RINGFENCE_ADMIN_TOKEN,
    logLevel: env.LOG_LEVEL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    production: env.NODE_ENV === 'production',
    sessionSecret: env.RINGFENCE_SESSION_SECRET,
    secureCookies: env.NODE_ENV !== 'development' && env.NODE_ENV !== 'test',
  });
}
