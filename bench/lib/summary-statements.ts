import {
  type KyselyPlugin,
  PostgresQueryCompiler,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPostgres } from '../../src/db/connect.ts';
import { startServerProcess } from './server-process.ts';

/** One statement as the app sent it to PostgreSQL: its text and its parameters. */
export interface SentStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** Statements the app sent together (Promise.all) share a wave; waves run one after another. */
  readonly wave: number;
}

/**
 * Records every statement the app sends while one request runs, compiled exactly as Kysely
 * compiles it for pg, with which of them were in flight together. The bare-pg baseline
 * (bench/bare-summary-server.ts) replays them, so the app is judged against the database work
 * it cannot avoid rather than against a route that asks the database nothing.
 */
class StatementRecorder implements KyselyPlugin {
  readonly sent: SentStatement[] = [];
  private readonly compiler = new PostgresQueryCompiler();
  private inFlight = 0;
  private wave = -1;
  recording = false;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.recording) {
      if (this.inFlight === 0) this.wave += 1;
      this.inFlight += 1;
      const compiled = this.compiler.compileQuery(args.node, args.queryId);
      this.sent.push({ sql: compiled.sql, parameters: compiled.parameters, wave: this.wave });
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.recording && this.inFlight > 0) this.inFlight -= 1;
    return args.result;
  }

  /** The statements one GET sends, recorded on an app built over `recorder`'s db. */
  async record(app: FastifyInstance, url: string, token: string): Promise<SentStatement[]> {
    this.sent.length = 0;
    this.wave = -1;
    this.recording = true;
    try {
      const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
    } finally {
      this.recording = false;
    }
    return [...this.sent];
  }
}

/**
 * Records one summary's statements on an app in this process over `databaseUrl`, then serves
 * them through bare pg (bench/bare-summary-server.ts) for the grants given; `measure` is handed
 * the bare server's port and its path for a grant. The read-throughput baseline of
 * bench/cluster.ts and bench/scale.ts.
 */
export async function withBareSummaries<T>(
  databaseUrl: string,
  grants: readonly { readonly grantId: string; readonly organisationId: string }[],
  token: string,
  measure: (port: number, path: (grantId: string) => string, shape: { statements: number; roundTrips: number }) => Promise<T>,
): Promise<T> {
  const recorder = new StatementRecorder();
  const database = connectPostgres(databaseUrl, { poolSize: 20 });
  const { grantId, organisationId } = grants[0]!;
  let statements: SentStatement[];
  try {
    const app = await buildApp({ config: loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }), database: { ...database, db: database.db.withPlugin(recorder) } });
    // Once to warm the owner cache, as every instance's is after its first requests.
    await app.inject({ method: 'GET', url: `/api/v1/grants/${grantId}/summary`, headers: { authorization: `Bearer ${token}` } });
    statements = await recorder.record(app, `/api/v1/grants/${grantId}/summary`, token);
    await app.close();
  } finally {
    await database.close();
  }
  const bare = await startServerProcess(new URL('../bare-summary-server.ts', import.meta.url), {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '20',
    BARE_STATEMENTS: JSON.stringify(statements),
    BARE_RECORDED_GRANT: grantId,
    BARE_RECORDED_ORGANISATION: organisationId,
    BARE_GRANT_ORGANISATIONS: JSON.stringify(Object.fromEntries(grants.map((g) => [g.grantId, g.organisationId]))),
  });
  try {
    return await measure(bare.port, (id) => `/summary/${id}`, { statements: statements.length, roundTrips: new Set(statements.map((s) => s.wave)).size });
  } finally {
    await bare.stop();
  }
}
