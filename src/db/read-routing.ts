import type { DatabaseConnection, Driver, TransactionSettings } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';

/** What the last look at the replica found. */
export interface ReplicaState {
  /** True when reads go to the replica; false sends them to the primary. */
  readonly usable: boolean;
  /** Seconds the replica's replay was behind the primary, when it could be measured. */
  readonly lagSeconds: number | null;
  /** Why reads went to the primary, when they did. */
  readonly reason: string | null;
  readonly checkedAt: Date | null;
}

/**
 * How far behind the replica is, judged against the primary: the primary's WAL position is read
 * first, then the replica's replay position. A replica that has replayed up to it holds every
 * transaction committed before the look began (lag 0); one that has not is as far behind as the
 * time since it last replayed a transaction. A replica that stopped receiving (its primary
 * unreachable, the stream broken) therefore shows a growing lag rather than a reassuring zero.
 * A server that is not a standby at all counts as caught up (a second name for the primary).
 */
const PRIMARY_POSITION = 'SELECT pg_current_wal_lsn()::text AS lsn';
const REPLICA_LAG = `
  SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_replay_lsn() >= $1::pg_lsn THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1e9)
  END::float8 AS lag_seconds`;

/**
 * Decides, at most once per interval and never on a request's path, whether reads may go to the
 * replica: it must answer and be no more than maxLagSeconds behind. Anything else (refused, slow,
 * lagging) sends reads to the primary until a later look finds it well again. So a report is at
 * most interval + maxLagSeconds behind the primary, and never wrong in a write, which never
 * reads here.
 */
export class ReplicaHealth {
  private state: ReplicaState = { usable: false, lagSeconds: null, reason: 'not yet checked', checkedAt: null };
  private checking: Promise<ReplicaState> | null = null;
  private lastStarted = 0;

  constructor(
    private readonly primary: pg.Pool,
    private readonly replica: pg.Pool,
    private readonly options: { readonly maxLagSeconds: number; readonly intervalMs: number; readonly logger?: Logger | undefined },
  ) {}

  /** The current judgement; starts a fresh look in the background when the last is old. */
  current(): ReplicaState {
    if (!this.checking && Date.now() - this.lastStarted >= this.options.intervalMs) void this.check();
    return this.state;
  }

  /** Looks now (or joins the look under way) and returns what it found. */
  check(): Promise<ReplicaState> {
    this.checking ??= this.look().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /** A connection to the replica failed: reads go to the primary until the next look. */
  lost(error: unknown): void {
    this.set({ usable: false, lagSeconds: null, reason: `unreachable: ${error instanceof Error ? error.message : String(error)}`, checkedAt: new Date() });
  }

  private async look(): Promise<ReplicaState> {
    this.lastStarted = Date.now();
    try {
      const position = await this.primary.query<{ lsn: string }>(PRIMARY_POSITION);
      const lag = await this.replica.query<{ lag_seconds: number }>(REPLICA_LAG, [position.rows[0]!.lsn]);
      const lagSeconds = lag.rows[0]!.lag_seconds;
      const usable = lagSeconds <= this.options.maxLagSeconds;
      this.set({ usable, lagSeconds, reason: usable ? null : `lagging ${lagSeconds.toFixed(1)} s`, checkedAt: new Date() });
    } catch (error) {
      this.lost(error);
    }
    return this.state;
  }

  private set(next: ReplicaState): void {
    if (next.usable !== this.state.usable) {
      if (next.usable) this.options.logger?.info({ lagSeconds: next.lagSeconds }, 'reads go to the replica');
      else this.options.logger?.warn({ reason: next.reason }, 'reads go to the primary');
    }
    this.state = next;
  }
}

/**
 * A Kysely driver that hands out a replica connection while the replica is judged usable, and
 * a primary one otherwise, including when taking a replica connection fails. Each connection
 * goes back to the driver it came from; a transaction stays on its one connection.
 */
export class ReadRoutingDriver implements Driver {
  private readonly owners = new WeakMap<DatabaseConnection, Driver>();

  constructor(
    private readonly primary: Driver,
    private readonly replica: Driver,
    private readonly health: ReplicaHealth,
  ) {}

  async init(): Promise<void> {
    await Promise.all([this.primary.init(), this.replica.init()]);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.health.current().usable) {
      try {
        return this.own(await this.replica.acquireConnection(), this.replica);
      } catch (error) {
        this.health.lost(error);
      }
    }
    return this.own(await this.primary.acquireConnection(), this.primary);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.ownerOf(connection).beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.ownerOf(connection).commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.ownerOf(connection).rollbackTransaction(connection);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const owner = this.ownerOf(connection);
    this.owners.delete(connection);
    await owner.releaseConnection(connection);
  }

  /** Only the replica's pool: the primary's belongs to the handle's request pool, closed with it. */
  async destroy(): Promise<void> {
    await this.replica.destroy();
  }

  private own(connection: DatabaseConnection, driver: Driver): DatabaseConnection {
    this.owners.set(connection, driver);
    return connection;
  }

  private ownerOf(connection: DatabaseConnection): Driver {
    const owner = this.owners.get(connection);
    if (!owner) throw new Error('connection released twice or never acquired');
    return owner;
  }
}
