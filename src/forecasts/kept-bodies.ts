/**
 * Forecast bodies kept per ledger state. A forecast is a function of the grant, the day it is
 * made on and the organisation's records (lines, spend, profiles, posts, secondments, tranches,
 * categories, the underspend threshold; the scheme versions it reads never change once made).
 * Every change to those records is audited in the organisation's chain in the change's own
 * transaction (src/audit/record.ts), so the chain head's seq (findChainHead in
 * src/audit/repository.ts, read as the region headlines read it) names the state they are in.
 * A body made for (grant, day) after reading seq S is kept under S: it holds every change up to
 * S, and perhaps one committed while it was being made (newer, never older). It is served again
 * only to a request that read the same S; any write moves the head on, and the next request
 * makes a fresh body.
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
    keptForecasts: KeptForecastBodies;
  }
}

interface Kept {
  readonly seq: bigint;
  readonly body: Buffer;
}

interface BodyKey {
  readonly organisationId: string;
  readonly grantId: string;
  /** The day as asked for: `on`, or today's date when `on` was not given. */
  readonly day: string;
}

/** Default bound: six forecasts of 10,000 lines (2.5 MB each), hundreds of ordinary grants. */
const KEPT_FORECAST_BYTES = 16 * 1024 * 1024;

export class KeptForecastBodies {
  private readonly kept = new Map<string, Kept>();
  private readonly making = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number = KEPT_FORECAST_BYTES) {}

  /** Bytes held now (for tests and the bench). */
  get size(): number {
    return this.bytes;
  }

  /** The body for this key at this chain seq: the kept one if it was made at the same seq, else made now by `make` (and kept). */
  async get(key: BodyKey, seq: string, make: () => Promise<Buffer>): Promise<{ body: Buffer; kept: boolean }> {
    const name = `${key.organisationId} ${key.grantId} ${key.day}`;
    const at = BigInt(seq);
    const found = this.kept.get(name);
    if (found && found.seq === at) {
      // Most recently used goes to the end of the map's order.
      this.kept.delete(name);
      this.kept.set(name, found);
      return { body: found.body, kept: true };
    }
    const pending = `${name} ${seq}`;
    let made = this.making.get(pending);
    if (!made) {
      made = make();
      this.making.set(pending, made);
      made.then(
        (body) => this.keep(name, at, body),
        () => undefined,
      );
      const forget = () => this.making.delete(pending);
      made.then(forget, forget);
    }
    return { body: await made, kept: false };
  }

  private keep(name: string, seq: bigint, body: Buffer): void {
    const found = this.kept.get(name);
    // A slower request that read an older head must not replace a newer body.
    if (found && found.seq > seq) return;
    if (found) {
      this.kept.delete(name);
      this.bytes -= found.body.length;
    }
    if (body.length > this.maxBytes) return;
    while (this.bytes + body.length > this.maxBytes) {
      const [oldest, entry] = this.kept.entries().next().value!;
      this.kept.delete(oldest);
      this.bytes -= entry.body.length;
    }
    this.kept.set(name, { seq, body });
    this.bytes += body.length;
  }
}
