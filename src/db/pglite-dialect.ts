import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  type CompiledQuery,
  createQueryId,
  IdentifierNode,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  RawNode,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely for embedded PGlite. Kysely 0.29 ships one but needs Node 22; 0.28, the line that runs
 * on Node 20, has none, so this is the same dialect written against 0.28 (see
 * docs/decisions/0006-node-20-dependencies.md): PostgreSQL's compiler, adapter and
 * introspector, and a driver for PGlite's single connection.
 */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;

  constructor(config: { readonly pglite: PGlite }) {
    this.#pglite = config.pglite;
  }

  createAdapter(): DialectAdapter {
    return new PGliteAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#pglite);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PGliteAdapter extends PostgresAdapter {
  // The migrator holds the only connection from acquiring the lock to releasing it, so no
  // other migration can run meanwhile: there is nothing to lock.
  override async acquireMigrationLock(): Promise<void> {}

  override async releaseMigrationLock(): Promise<void> {}
}

/**
 * PGlite is one connection. Each query, and each transaction from BEGIN to COMMIT or ROLLBACK,
 * holds it alone: the rest wait their turn, so one request's statements never land in another
 * request's transaction. A query on `db` (rather than `trx`) inside a transaction therefore waits
 * for that transaction to end, as it does with Kysely 0.29's own PGlite dialect.
 */
class PGliteDriver implements Driver {
  readonly #pglite: PGlite;
  readonly #connection: PGliteConnection;
  readonly #mutex = new ConnectionMutex();

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    if (this.#pglite.closed) throw new Error('PGlite instance is already closed.');
    await this.#pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await asPGlite(connection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await asPGlite(connection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await asPGlite(connection).rollback();
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('savepoint', name), createQueryId()));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('rollback to', name), createQueryId()));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('release', name), createQueryId()));
  }

  async destroy(): Promise<void> {
    if (!this.#pglite.closed) await this.#pglite.close();
  }
}

function asPGlite(connection: DatabaseConnection): PGliteConnection {
  if (!(connection instanceof PGliteConnection)) throw new Error('Not a PGlite connection.');
  return connection;
}

function savepointCommand(command: string, name: string) {
  // The name as an identifier, so Kysely quotes it.
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]);
}

/** Why a transaction's callback ends without committing: Kysely asked for a rollback. */
class RollbackRequested extends Error {}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  /**
   * An open transaction runs inside PGlite's own transaction(), which other users of the
   * instance (the readiness probe queries it directly) wait for, and which tells a COMMIT
   * that PostgreSQL turned into a ROLLBACK apart from a real one.
   */
  #transaction: PGliteTransaction | undefined;
  #end: { commit: () => void; rollback: () => void } | undefined;
  #ended: Promise<void> | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { affectedRows, rows } = await (this.#transaction ?? this.#pglite).query<R>(compiledQuery.sql, [...compiledQuery.parameters], { rowMode: 'object' });
    return { numAffectedRows: affectedRows == null ? undefined : BigInt(affectedRows), rows: rows ?? [] };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by PGlite.');
  }

  async begin(settings: TransactionSettings): Promise<void> {
    let begun!: (transaction: PGliteTransaction) => void;
    const opened = new Promise<PGliteTransaction>((resolve) => (begun = resolve));
    const decided = new Promise<void>((commit, rollback) => (this.#end = { commit, rollback: () => rollback(new RollbackRequested()) }));
    this.#ended = this.#pglite.transaction(async (transaction) => {
      begun(transaction);
      await decided;
    });
    try {
      // Settled first only when BEGIN itself failed.
      this.#transaction = await Promise.race([opened, this.#ended.then(() => opened)]);
    } catch (error) {
      this.#forget();
      throw error;
    }
    const characteristics = transactionCharacteristics(settings);
    if (characteristics) {
      try {
        await this.#transaction.query(`set transaction ${characteristics}`);
      } catch (error) {
        await this.rollback();
        throw error;
      }
    }
  }

  async commit(): Promise<void> {
    this.#end?.commit();
    try {
      await this.#ended;
    } catch (error) {
      // PGlite's TransactionAbortedError: an earlier statement failed, so COMMIT rolled back.
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === '25P02') throw new AbortedTransactionError();
      throw error;
    } finally {
      this.#forget();
    }
  }

  async rollback(): Promise<void> {
    this.#end?.rollback();
    await this.#ended?.catch(() => undefined);
    this.#forget();
  }

  #forget(): void {
    this.#transaction = undefined;
    this.#end = undefined;
    this.#ended = undefined;
  }
}

/** As PostgreSQL's own dialect sets them: isolation level, then access mode. */
function transactionCharacteristics({ isolationLevel, accessMode }: TransactionSettings): string {
  return [isolationLevel && `isolation level ${isolationLevel}`, accessMode].filter(Boolean).join(' ');
}

/** Hands the one connection to one holder at a time, in turn. */
class ConnectionMutex {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.#held) await this.#held;
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  unlock(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}
