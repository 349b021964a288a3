import { describe, expect, it } from 'vitest';
import { jsonArrayInSlices, OneInFlight } from '../../src/db/pipeline.ts';

describe('rows encoded in slices (src/db/pipeline.ts)', () => {
  it('gives exactly the text JSON.stringify gives, at every size around a slice', async () => {
    for (const count of [0, 1, 199, 200, 201, 1_000, 1_234]) {
      const items = Array.from({ length: count }, (_, index) => ({ index, text: index % 3 === 0 ? 'a "quoted" \\ line\n' : null }));
      expect(await jsonArrayInSlices(items, (item) => ({ i: item.index, t: item.text }))).toBe(JSON.stringify(items.map((item) => ({ i: item.index, t: item.text }))));
    }
  });
});

describe('statements one in flight (src/db/pipeline.ts)', () => {
  it('starts a statement only once the one before it has finished, and returns before it finishes', async () => {
    const events: string[] = [];
    const releases: (() => void)[] = [];
    const statement = (name: string) => () =>
      new Promise<void>((resolve) => {
        events.push(`start ${name}`);
        releases.push(() => {
          events.push(`end ${name}`);
          resolve();
        });
      });
    const writes = new OneInFlight();
    await writes.next(statement('a'));
    expect(events).toEqual(['start a']);
    const second = writes.next(statement('b'));
    await Promise.resolve();
    expect(events).toEqual(['start a']);
    releases[0]!();
    await second;
    expect(events).toEqual(['start a', 'end a', 'start b']);
    const finished = writes.finish();
    releases[1]!();
    await finished;
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('raises a failed statement at the next call, and abandon waits without raising it', async () => {
    const writes = new OneInFlight();
    await writes.next(() => Promise.reject(new Error('refused')));
    await expect(writes.next(async () => {})).rejects.toThrow('refused');
    const other = new OneInFlight();
    await other.next(() => Promise.reject(new Error('refused too')));
    await expect(other.abandon()).resolves.toBeUndefined();
  });
});
