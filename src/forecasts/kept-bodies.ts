import type { ForecastParts } from './kept-parts.ts';

/**
 * Forecast bodies kept per ledger state. A forecast is a function of the grant, the day it is
 * made on and the organisation's records (lines, spend, profiles, posts, secondments, tranches,
 * categories, the underspend threshold; the scheme versions it reads never change once made).
 * Every change to those records is audited in the organisation's chain in the change's own
 * transaction (src/audit/record.ts), so the chain head's seq (findChainHead in
 * src/audit/repository.ts, read as the region headlines read it) names the state they are in.
 * A body is made in one snapshot that reads the head's seq S first (forecastBody in
 * src/forecasts/service.ts), so it is exactly the records at S and is kept under S. It is served
 * again only to a request that read the same S; any write moves the head on, and the next
 * request makes a new body, from the kept one's parts (src/forecasts/kept-parts.ts) when only a
 * few lines changed.
 *
 * Each instance keeps its own: the seq is read from PostgreSQL on every request, so instances
 * behind nginx never serve each other's stale bodies; each pays for its own first forecast
 * after a change. Bounded in bytes, least recently used out; one body per (organisation, grant,
 * day), the newest seq's. Requests for the same body while it is being made wait for that one
 * rather than each making their own (the rush after a write).
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's kept forecast bodies (GET …/forecast without `assume`). */
    keptForecasts: KeptForecastBodies<ForecastParts>;
  }
}

/** A body as made, the chain seq it was made at, and the parts the next one can be made from. */
export interface MadeBody<P extends { readonly bytes: number }> {
  readonly seq: string;
  readonly body: Buffer;
  readonly parts: P;
}

interface Kept<P> {
  readonly seq: bigint;
  readonly body: Buffer;
  readonly parts: P;
  readonly bytes: number;
}

interface BodyKey {
  readonly organisationId: string;
  readonly grantId: string;
  /** The day as asked for: `on`, or today's date when `on` was not given. */
  readonly day: string;
}

/** Default bound: a forecast of 10,000 lines holds about 4.5 MB (its body, 2.5 MB, and its lines' parts); hundreds of ordinary grants. */
const KEPT_FORECAST_BYTES = 16 * 1024 * 1024;

export class KeptForecastBodies<P extends { readonly bytes: number }> {
  private readonly kept = new Map<string, Kept<P>>();
  private readonly making = new Map<string, Promise<MadeBody<P>>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number = KEPT_FORECAST_BYTES) {}

  /** Bytes held now (for tests and the bench). */
  get size(): number {
    return this.bytes;
  }

  /**
   * The body for this key at this chain seq: the kept one if it was made at the same seq, else
   * made now by `make` (given what is kept for the key, to make it from) and kept.
   */
  async get(key: BodyKey, seq: string, make: (previous: { seq: string; parts: P } | undefined) => Promise<MadeBody<P>>): Promise<{ body: Buffer; kept: boolean }> {
    const name = `${key.organisationId} ${key.grantId} ${key.day}`;
    const found = this.kept.get(name);
    if (found && found.seq === BigInt(seq)) {
      // Most recently used goes to the end of the map's order.
      this.kept.delete(name);
      this.kept.set(name, found);
      return { body: found.body, kept: true };
    }
    const pending = `${name} ${seq}`;
    let made = this.making.get(pending);
    if (!made) {
      made = make(found && { seq: String(found.seq), parts: found.parts });
      this.making.set(pending, made);
      made.then(
        (result) => this.keep(name, result),
        () => undefined,
      );
      const forget = () => this.making.delete(pending);
      made.then(forget, forget);
    }
    return { body: (await made).body, kept: false };
  }

  private keep(name: string, made: MadeBody<P>): void {
    const seq = BigInt(made.seq);
    const found = this.kept.get(name);
    // A slower request that read an older head must not replace a newer body.
    if (found && found.seq > seq) return;
    if (found) {
      this.kept.delete(name);
      this.bytes -= found.bytes;
    }
    const bytes = made.body.length + made.parts.bytes;
    if (bytes > this.maxBytes) return;
    while (this.bytes + bytes > this.maxBytes) {
      const [oldest, entry] = this.kept.entries().next().value!;
      this.kept.delete(oldest);
      this.bytes -= entry.bytes;
    }
    this.kept.set(name, { seq, body: made.body, parts: made.parts, bytes });
    this.bytes += bytes;
  }
}
