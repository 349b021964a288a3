import { type KyselyPlugin, PostgresQueryCompiler, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import type { FastifyInstance } from 'fastify';

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
export class StatementRecorder implements KyselyPlugin {
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
