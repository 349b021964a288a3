import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './tables.ts';

const PG_TYPE = { INT8: 20, DATE: 1082 } as const;

/**
 * Both drivers must hand the same values to repositories: counts as numbers, dates as the
 * 'YYYY-MM-DD' text stored (pg would make local midnight of them and shift days outside UTC),
 * NUMERIC as text (the default of both).
 */
const keepText = (value: string): string => value;
const countAsNumber = (value: string): number => Number(value);

export interface DatabaseHandle {
  /** For requests: short waits, short statements, so one request never holds up the rest. */
  readonly db: Kysely<Database>;
  /**
   * For long jobs (an import commit): a small pool of its own, so a few long transactions can
   * never take the connections that requests need. The same database as db.
   */
  readonly longJobs: Kysely<Database>;
  readonly kind: 'postgres' | 'pglite';
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly poolSize?: number;
  /** Connections for long jobs; DATABASE_LONG_JOB_POOL_SIZE. */
  readonly longJobPoolSize?: number;
  readonly logger?: Logger;
}

/**
 * How long anything waits. A request that cannot get a connection or a row lock within a few
 * seconds answers 503 with Retry-After rather than queueing for minutes behind other work
 * (lock_timeout, connectionTimeoutMillis); a database that stops answering is given up on
 * within ten seconds (statement_timeout on the server, query_timeout here, a little later so
 * the server's cancel normally wins and the connection stays usable). Long jobs wait for locks
 * no longer, but may run longer statements (a whole import's audit records at once).
 */
const REQUEST_TIMEOUTS = { connectMs: 5_000, lockMs: 5_000, statementMs: 7_000, queryMs: 8_000 } as const;
const LONG_JOB_TIMEOUTS = { connectMs: 5_000, lockMs: 5_000, statementMs: 60_000, queryMs: 65_000 } as const;
const DEFAULT_LONG_JOB_POOL_SIZE = 2;

type Timeouts = typeof REQUEST_TIMEOUTS | typeof LONG_JOB_TIMEOUTS;

function queryLogger(logger: Logger | undefined) {
  if (!logger) return undefined;
  // Durations only, never parameters: they carry amounts and names.
  return (event: LogEvent) => {
    if (event.level === 'error') {
      logger.debug({ durationMs: event.queryDurationMillis, sql: event.query.sql }, 'query failed');
    } else if (logger.isLevelEnabled('debug')) {
      logger.debug({ durationMs: event.queryDurationMillis, sql: event.query.sql }, 'query');
    }
  };
}

function createPool(databaseUrl: string, max: number, timeouts: Timeouts, logger: Logger | undefined): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: timeouts.connectMs,
    lock_timeout: timeouts.lockMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.queryMs,
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === PG_TYPE.DATE) return keepText;
        if (oid === PG_TYPE.INT8) return countAsNumber;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener, a connection's error (the server restarting, the network dropping)
  // would crash the process: idle clients report through the pool, checked-out ones (Kysely
  // holds one across a transaction) only on themselves. The query under way still fails and
  // the request answers 503.
  pool.on('error', (error) => logger?.warn({ err: error.message }, 'idle database connection failed'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger?.warn({ err: error.message }, 'database connection failed'));
  });
  return pool;
}

export function connectPostgres(databaseUrl: string, options: Omit<DatabaseOptions, 'databaseUrl' | 'dataDir'> = {}): DatabaseHandle {
  const pool = createPool(databaseUrl, options.poolSize ?? 10, REQUEST_TIMEOUTS, options.logger);
  const longJobPool = createPool(databaseUrl, options.longJobPoolSize ?? DEFAULT_LONG_JOB_POOL_SIZE, LONG_JOB_TIMEOUTS, options.logger);
  const log = queryLogger(options.logger);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  const longJobs = new Kysely<Database>({ dialect: new PostgresDialect({ pool: longJobPool }), log });
  return {
    db,
    longJobs,
    kind: 'postgres',
    async ping() {
      const client = await pool.connect();
      try {
        await client.query('SELECT 1');
      } finally {
        client.release();
      }
    },
    async close() {
      await Promise.all([db.destroy(), longJobs.destroy()]);
    },
  };
}

/**
 * PGlite lets two processes open one data folder and then corrupts it, so the folder is
 * claimed with a lock file naming our process; a lock left by a dead process is taken over.
 */
function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'ringfence.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(`The data folder ${resolve(dataDir)} is in use by process ${holder}. Stop it first, or set RINGFENCE_DATA_DIR.`, { cause: error });
      }
      unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not lock the data folder ${resolve(dataDir)}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function connectPglite(dataDir: string, options: Omit<DatabaseOptions, 'databaseUrl' | 'dataDir'> = {}): Promise<DatabaseHandle> {
  const release = claimDataDir(dataDir);
  try {
    const { PGlite, types } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create(join(dataDir, 'pgdata'), {
      parsers: { [types.DATE]: keepText, [types.INT8]: countAsNumber, [types.TIMESTAMPTZ]: (value: string) => new Date(value) },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), log: queryLogger(options.logger) });
    return {
      db,
      // One connection in one process: there is no pool to keep long jobs out of.
      longJobs: db,
      kind: 'pglite',
      async ping() {
        await pglite.query('SELECT 1');
      },
      async close() {
        await db.destroy();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

export async function connectDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl ? connectPostgres(options.databaseUrl, options) : connectPglite(options.dataDir, options);
}
