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
  readonly db: Kysely<Database>;
  readonly kind: 'postgres' | 'pglite';
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly poolSize?: number;
  readonly logger?: Logger;
}

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

export function connectPostgres(databaseUrl: string, options: Omit<DatabaseOptions, 'databaseUrl' | 'dataDir'> = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    // While the database is unreachable, fail fast (503) rather than hang the request.
    connectionTimeoutMillis: 3_000,
    // A statement stuck behind a lock, or a connection that went silent, must not hold a
    // request for ever: the server gives up after 30 s, this client after 35 s.
    statement_timeout: 30_000,
    query_timeout: 35_000,
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
  pool.on('error', (error) => options.logger?.warn({ err: error.message }, 'idle database connection failed'));
  pool.on('connect', (client) => {
    client.on('error', (error) => options.logger?.warn({ err: error.message }, 'database connection failed'));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queryLogger(options.logger) });
  return {
    db,
    kind: 'postgres',
    async ping() {
      const client = await pool.connect();
      try {
        await client.query('SELECT 1');
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
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
