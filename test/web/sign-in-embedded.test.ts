import { afterAll, beforeAll, expect, it } from 'vitest';
import { setPassword } from '../../src/auth/users-service.ts';
import { type EmbeddedApp, startEmbeddedApp } from '../support/embedded.ts';
import { FormClient } from './support/forms.ts';
import { PASSWORD } from './support/web-app.ts';

/** The sign-in tables' statements run on the embedded database too, with its one connection. */
let embedded: EmbeddedApp;
let email: string;

beforeAll(async () => {
  embedded = await startEmbeddedApp('ringfence-sign-in-');
  const admin = await embedded.database.db.selectFrom('users').select(['id', 'email']).where('is_platform_admin', '=', true).executeTakeFirstOrThrow();
  await setPassword(embedded.database.db, { actorId: null }, admin.id, PASSWORD);
  email = admin.email;
});
afterAll(() => embedded?.close());

it('counts a failure, signs in, and ends the session on sign-out on the embedded database', async () => {
  const client = new FormClient(embedded.app);
  expect((await client.post('/sign-in', { email, password: 'not the password' })).statusCode).toBe(401);
  expect((await client.post('/sign-in', { email, password: PASSWORD })).statusCode).toBe(303);
  const copied = client.cookie;
  expect((await client.get('/account')).statusCode).toBe(200);
  await client.post('/sign-out', {}, { from: '/account' });
  expect((await embedded.app.inject({ method: 'GET', url: '/account', headers: { cookie: copied } })).statusCode).toBe(303);
  expect(await embedded.database.db.selectFrom('sign_in_attempts').select('attempts').execute()).toEqual([{ attempts: 2 }]);
});
