import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestDatabase } from '../support/database.ts';

describe('graceful shutdown', () => {
  it('finishes the requests under way, then stops taking new ones', async () => {
    const database = await createTestDatabase();
    const app = await buildApp({ config: loadConfig({ DATABASE_URL: database.url }), database: database.handle });
    // A stand-in for a slow report: the shutdown must wait for it.
    app.get('/slow-for-test', async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { finished: true };
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const inFlight = fetch(`${address}/slow-for-test`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = app.close();
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
