import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestDatabase } from '../support/database.ts';

describe('graceful shutdown', () => {
  it('finishes the requests under way, then stops taking new ones', async () => {
    const database = await createTestDatabase();
    const app = await buildApp({ config: loadConfig({ DATABASE_URL: database.url }), database: database.handle });
    // A stand-in for a slow report: the shutdown must wait for it. It finishes when the test
    // says so, after the shutdown has begun.
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const released = new Promise<void>((resolve) => (finish = resolve));
    app.get('/slow-for-test', async () => {
      started();
      await released;
      return { finished: true };
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const inFlight = fetch(`${address}/slow-for-test`);
      // Under way: the handler has started (a fixed wait could close before the request arrived).
      await running;
      const closing = app.close();
      // The server has stopped listening while the request under way is still held.
      await expect.poll(() => app.server.listening, { timeout: 20_000 }).toBe(false);
      finish();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ finished: true });
      await closing;
      await expect(fetch(`${address}/health`)).rejects.toThrow();
    } finally {
      await database.drop();
    }
  });
});
