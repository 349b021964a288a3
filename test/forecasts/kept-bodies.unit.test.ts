import { describe, expect, it } from 'vitest';
import { KeptForecastBodies } from '../../src/forecasts/kept-bodies.ts';

const key = (grantId: string, day = 'on 2025-09-30') => ({ organisationId: 'org', grantId, day });
const body = (text: string) => Buffer.from(text);
const never = () => Promise.reject(new Error('made again'));
/** A body made at this seq, its parts holding nothing. */
const at = (seq: string, text: string) => ({ seq, body: body(text), parts: { bytes: 0 } });

describe('kept forecast bodies', () => {
  it('serves a body again only at the seq it was made at', async () => {
    const bodies = new KeptForecastBodies(1000);
    expect(await bodies.get(key('g'), '7', async () => at('7', 'at 7'))).toEqual({ body: body('at 7'), kept: false });
    expect(await bodies.get(key('g'), '7', never)).toEqual({ body: body('at 7'), kept: true });
    expect(await bodies.get(key('g'), '8', async () => at('8', 'at 8'))).toEqual({ body: body('at 8'), kept: false });
    // Another day or grant is another body.
    expect((await bodies.get(key('g', 'today 2025-09-30'), '8', async () => at('8', 'today'))).kept).toBe(false);
    expect((await bodies.get(key('h'), '8', async () => at('8', 'h'))).kept).toBe(false);
  });

  it('keeps one body per grant and day, and never lets a body made at an older seq replace a newer one', async () => {
    const bodies = new KeptForecastBodies(1000);
    let finishOld!: (made: ReturnType<typeof at>) => void;
    const slow = bodies.get(key('g'), '7', () => new Promise((resolve) => (finishOld = resolve)));
    await bodies.get(key('g'), '8', async () => at('8', 'at 8'));
    finishOld(at('7', 'at 7'));
    expect((await slow).body).toEqual(body('at 7'));
    expect(await bodies.get(key('g'), '8', never)).toEqual({ body: body('at 8'), kept: true });
    expect(bodies.size).toBe(4);
  });

  it('makes a body once for requests that ask while it is being made, and keeps no failure', async () => {
    const bodies = new KeptForecastBodies(1000);
    let made = 0;
    let finish!: (made: ReturnType<typeof at>) => void;
    const make = () => {
      made += 1;
      return new Promise<ReturnType<typeof at>>((resolve) => (finish = resolve));
    };
    const both = Promise.all([bodies.get(key('g'), '1', make), bodies.get(key('g'), '1', make)]);
    finish(at('1', 'once'));
    expect((await both).map((r) => r.body.toString())).toEqual(['once', 'once']);
    expect(made).toBe(1);
    await expect(bodies.get(key('f'), '1', () => Promise.reject(new Error('outside the year')))).rejects.toThrow('outside the year');
    expect((await bodies.get(key('f'), '1', async () => at('1', 'now'))).kept).toBe(false);
  });

  it('holds at most its bound in bytes, least recently used out, and keeps no body larger than the bound', async () => {
    const bodies = new KeptForecastBodies(10);
    await bodies.get(key('a'), '1', async () => at('1', 'aaaa'));
    await bodies.get(key('b'), '1', async () => at('1', 'bbbb'));
    await bodies.get(key('a'), '1', never); // a is now the most recently used
    await bodies.get(key('c'), '1', async () => at('1', 'cccc'));
    expect(bodies.size).toBe(8);
    expect((await bodies.get(key('a'), '1', never)).kept).toBe(true);
    expect((await bodies.get(key('b'), '1', async () => at('1', 'bbbb'))).kept).toBe(false);
    const huge = await bodies.get(key('d'), '1', async () => at('1', 'd'.repeat(11)));
    expect(huge.body.length).toBe(11);
    expect(bodies.size).toBeLessThanOrEqual(10);
    expect((await bodies.get(key('d'), '1', async () => at('1', 'd'))).kept).toBe(false);
  });

  it('gives the maker what is kept for the key, and keeps what it made under the seq it was made at', async () => {
    const bodies = new KeptForecastBodies<{ bytes: number; name: string }>(1000);
    const seen: unknown[] = [];
    await bodies.get(key('g'), '3', async (previous) => {
      seen.push(previous);
      return { seq: '3', body: body('at 3'), parts: { bytes: 5, name: 'parts at 3' } };
    });
    // Asked at 4, made in a snapshot that had moved on to 5: kept under 5.
    await bodies.get(key('g'), '4', async (previous) => {
      seen.push(previous);
      return { seq: '5', body: body('at 5'), parts: { bytes: 5, name: 'parts at 5' } };
    });
    expect(seen).toEqual([undefined, { seq: '3', parts: { bytes: 5, name: 'parts at 3' } }]);
    expect(await bodies.get(key('g'), '5', never)).toEqual({ body: body('at 5'), kept: true });
    expect(bodies.size).toBe(9);
  });
});
