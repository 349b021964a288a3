import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { AbortedTransactionError, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { PGliteDialect } from '../../src/db/pglite-dialect.ts';
import { copyPgliteTemplate } from '../support/pglite-template.ts';

interface Tables {
  note: { id: number; body: string };
}

let pglite: PGlite;
let db: Kysely<Tables>;
let dataDir: string;

// A copy of the run's PGlite template (test/support/pglite-template.ts): an empty in-memory
// PGlite runs initdb first, a minute of this file's time on a loaded machine. The dialect is
// tested on a table of its own.
beforeAll(async () => {
  dataDir = await copyPgliteTemplate(inject('pgliteTemplate'), 'ringfence-dialect-');
  pglite = new PGlite(join(dataDir, 'pgdata'));
  db = new Kysely<Tables>({ dialect: new PGliteDialect({ pglite }) });
  await sql`CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)`.execute(db);
});

afterAll(async () => {
  await db?.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await db.deleteFrom('note').execute();
});

async function ids(): Promise<number[]> {
  return (await db.selectFrom('note').select('id').orderBy('id').execute()).map((row) => row.id);
}

describe('PGlite dialect', () => {
  it('reports the rows a write touched', async () => {
    const inserted = await db
      .insertInto('note')
      .values([
        { id: 1, body: 'a' },
        { id: 2, body: 'b' },
      ])
      .executeTakeFirstOrThrow();
    const updated = await db.updateTable('note').set({ body: 'c' }).where('id', '=', 1).executeTakeFirstOrThrow();
    const deleted = await db.deleteFrom('note').where('id', '=', 99).executeTakeFirstOrThrow();
    expect([inserted.numInsertedOrUpdatedRows, updated.numUpdatedRows, deleted.numDeletedRows]).toEqual([2n, 1n, 0n]);
  });

  it('commits a transaction, and rolls it back when its work throws', async () => {
    await db.transaction().execute((trx) => trx.insertInto('note').values({ id: 1, body: 'kept' }).execute());
    const failed = db.transaction().execute(async (trx) => {
      await trx.insertInto('note').values({ id: 2, body: 'dropped' }).execute();
      throw new Error('refused');
    });
    await expect(failed).rejects.toThrow('refused');
    expect(await ids()).toEqual([1]);
  });

  it('refuses to report a commit when PostgreSQL rolled the transaction back instead', async () => {
    const swallowing = db.transaction().execute(async (trx) => {
      await trx.insertInto('note').values({ id: 1, body: 'first' }).execute();
      await trx
        .insertInto('note')
        .values({ id: 1, body: 'duplicate' })
        .execute()
        .catch(() => undefined);
    });
    await expect(swallowing).rejects.toBeInstanceOf(AbortedTransactionError);
    expect(await ids()).toEqual([]);
  });

  it('gives the one connection to one transaction at a time, so statements never land in another transaction', async () => {
    const events: string[] = [];
    let releaseFirst!: () => void;
    const firstMayFinish = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = db.transaction().execute(async (trx) => {
      events.push('first begins');
      await trx.insertInto('note').values({ id: 1, body: 'first' }).execute();
      await firstMayFinish;
      events.push('first ends');
      throw new Error('first rolls back');
    });
    const second = db.transaction().execute(async (trx) => {
      events.push('second begins');
      await trx.insertInto('note').values({ id: 2, body: 'second' }).execute();
    });
    const plain = db
      .insertInto('note')
      .values({ id: 3, body: 'plain' })
      .execute()
      .then(() => events.push('plain query'));
    // The first transaction has run a statement; the others are queued behind it.
    await expect.poll(() => events).toEqual(['first begins']);
    for (let turn = 0; turn < 10; turn++) await setImmediate();
    expect(events).toEqual(['first begins']);
    releaseFirst();
    await expect(first).rejects.toThrow('first rolls back');
    await Promise.all([second, plain]);
    expect(events).toEqual(['first begins', 'first ends', 'second begins', 'plain query']);
    expect(await ids()).toEqual([2, 3]);
  });

  it('makes a query on db (not trx) inside a transaction wait until the transaction ends', async () => {
    let outside: Promise<number[]> | undefined;
    let outsideAnswered = false;
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('note').values({ id: 1, body: 'inside' }).execute();
      outside = ids().then((found) => {
        outsideAnswered = true;
        return found;
      });
      await trx.insertInto('note').values({ id: 2, body: 'inside' }).execute();
      expect(outsideAnswered).toBe(false);
    });
    expect(await outside).toEqual([1, 2]);
  });

  it('applies the isolation level and access mode asked for', async () => {
    const settings = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const { rows } = await sql<{
          isolation: string;
          readOnly: string;
        }>`SELECT current_setting('transaction_isolation') AS isolation, current_setting('transaction_read_only') AS "readOnly"`.execute(trx);
        return rows[0];
      });
    expect(settings).toEqual({ isolation: 'repeatable read', readOnly: 'on' });
  });

  it('rolls back to a savepoint', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('note').values({ id: 1, body: 'kept' }).execute();
    const saved = await trx.savepoint('before second').execute();
    await saved.insertInto('note').values({ id: 2, body: 'undone' }).execute();
    await saved.rollbackToSavepoint('before second').execute();
    await trx.commit().execute();
    expect(await ids()).toEqual([1]);
  });

  it('says plainly that it cannot stream', async () => {
    const reading = (async () => {
      for await (const row of db.selectFrom('note').selectAll().stream()) void row;
    })();
    await expect(reading).rejects.toThrow('Streaming is not supported by PGlite.');
  });
});
