import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type LogEvent,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { PGliteDialect } from './pglite-dialect.ts';
import { ReadRoutingDriver, ReplicaHealth, type ReplicaState } from './read-routing.ts';
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
  /**
   * For reads that may lag the primary by a few seconds (reports, the audit trail): the replica
   * at DATABASE_READ_URL while it answers and keeps up, else the primary. Never for a write, the
   * reads inside one, or a page that shows what was just written. Without DATABASE_READ_URL,
   * the same as db.
   */
  readonly reads: Kysely<Database>;
  /** The replica's last judged state; null without DATABASE_READ_URL. */
  readonly replica: { current(): ReplicaState; check(): Promise<ReplicaState> } | null;
  readonly kind: 'postgres' | 'pglite';
  /**
   * The primary's connection string, for a worker thread that opens connections of its own (an
   * import's long commit, src/imports/commit-thread.ts). Undefined on PGlite, whose one
   * connection lives in this thread.
   */
  readonly url?: string;
  /**
   * True for a handle whose db and reads are one REPEATABLE READ transaction already (a return
   * prepared in every format from one snapshot): a report read through it runs in that
   * transaction instead of opening one of its own.
   */
  readonly inSnapshot?: boolean;
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
  /** A streaming replica for reports and the audit trail; DATABASE_READ_URL. */
  readonly readUrl?: string | undefined;
  /** Past this lag the replica is passed over for the primary; DATABASE_READ_MAX_LAG_SECONDS. */
  readonly readMaxLagSeconds?: number;
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
/** A replica that does not answer within a second is passed over for the primary. */
const REPLICA_TIMEOUTS = { connectMs: 1_000, lockMs: 5_000, statementMs: 7_000, queryMs: 8_000 } as const;
const DEFAULT_LONG_JOB_POOL_SIZE = 2;
/** How often each process looks at the replica's lag (src/db/read-routing.ts). */
const REPLICA_CHECK_INTERVAL_MS = 1_000;
const DEFAULT_READ_MAX_LAG_SECONDS = 2;

type Timeouts = typeof REQUEST_TIMEOUTS | typeof LONG_JOB_TIMEOUTS | typeof REPLICA_TIMEOUTS;

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

/**
 * The long-job pool asks for its longer statement timeout at the start of each transaction too:
 * behind a pooler in transaction mode (PgBouncer) the timeouts pg sends when it connects never
 * reach the server, whose own defaults (the request ones, docs/cluster.md) apply instead. SET
 * LOCAL lasts for the transaction alone, so it leaves nothing behind on a pooled connection.
 */
function withTransactionTimeouts(dialect: PostgresDialect, timeouts: Timeouts) {
  const driver = dialect.createDriver();
  const settings = CompiledQuery.raw(`SET LOCAL statement_timeout = ${timeouts.statementMs}`);
  return {
    createAdapter: () => new PostgresAdapter(),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
    createDriver: (): Driver => ({
      init: () => driver.init(),
      acquireConnection: () => driver.acquireConnection(),
      async beginTransaction(connection: DatabaseConnection, transaction: TransactionSettings) {
        await driver.beginTransaction(connection, transaction);
        await connection.executeQuery(settings);
      },
      commitTransaction: (connection) => driver.commitTransaction(connection),
      rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
      releaseConnection: (connection) => driver.releaseConnection(connection),
      destroy: () => driver.destroy(),
    }),
  };
}

export function connectPostgres(databaseUrl: string, options: Omit<DatabaseOptions, 'databaseUrl' | 'dataDir'> = {}): DatabaseHandle {
  const pool = createPool(databaseUrl, options.poolSize ?? 10, REQUEST_TIMEOUTS, options.logger);
  const longJobPool = createPool(databaseUrl, options.longJobPoolSize ?? DEFAULT_LONG_JOB_POOL_SIZE, LONG_JOB_TIMEOUTS, options.logger);
  const log = queryLogger(options.logger);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  const longJobs = new Kysely<Database>({ dialect: withTransactionTimeouts(new PostgresDialect({ pool: longJobPool }), LONG_JOB_TIMEOUTS), log });
  let reads = db;
  let replica: ReplicaHealth | null = null;
  if (options.readUrl) {
    const replicaPool = createPool(options.readUrl, options.poolSize ?? 10, REPLICA_TIMEOUTS, options.logger);
    const health = new ReplicaHealth(pool, replicaPool, {
      maxLagSeconds: options.readMaxLagSeconds ?? DEFAULT_READ_MAX_LAG_SECONDS,
      intervalMs: REPLICA_CHECK_INTERVAL_MS,
      logger: options.logger,
    });
    const primaryDriver = new PostgresDialect({ pool }).createDriver();
    const replicaDriver = new PostgresDialect({ pool: replicaPool }).createDriver();
    const routing = new ReadRoutingDriver(primaryDriver, replicaDriver, health);
    reads = new Kysely<Database>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createQueryCompiler: () => new PostgresQueryCompiler(),
        createIntrospector: (introspected) => new PostgresIntrospector(introspected),
        createDriver: () => routing,
      },
      log,
    });
    replica = health;
  }
  return {
    db,
    longJobs,
    reads,
    replica,
    kind: 'postgres',
    url: databaseUrl,
    async ping() {
      const client = await pool.connect();
      try {
        await client.query('SELECT 1');
      } finally {
        client.release();
      }
    },
    async close() {
      // The replica's pool goes with reads; the primary's with db.
      await Promise.all([db.destroy(), longJobs.destroy(), reads === db ? undefined : reads.destroy()]);
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
      // One connection in one process: there is no pool to keep long jobs out of, nor replica.
      longJobs: db,
      reads: db,
      replica: null,
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
