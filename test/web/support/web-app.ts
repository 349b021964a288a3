import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { Role } from '../../../src/db/tables.ts';
import { setPassword } from '../../../src/auth/users-service.ts';
import type { Clock } from '../../../src/http/clock.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { createOrganisation, type TestOrganisation } from '../../support/factories.ts';

export interface WebTestApp extends TestApp {
  /** http://127.0.0.1:<port>, where the real app listens for the browser. */
  readonly baseURL: string;
}

/** The real app on a database of this file's own, listening on a free port for Chromium. */
export async function startWebApp(options: { clock?: Clock } = {}): Promise<WebTestApp> {
  const testApp = await startTestApp(options);
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = testApp.app.server.address() as AddressInfo;
  return { ...testApp, baseURL: `http://127.0.0.1:${port}` };
}

export const PASSWORD = 'correct horse battery staple';

export interface Person {
  readonly email: string;
  readonly password: string;
}

/** Gives a member of a test organisation a password, as an administrator would. */
export async function withPassword(testApp: TestApp, organisation: TestOrganisation, role: Role, password = PASSWORD): Promise<Person> {
  await setPassword(testApp.database.handle.db, { actorId: null }, organisation.userIds[role], password);
  return { email: `${role}.${organisation.code.toLowerCase()}@example.gov.uk`, password };
}

export async function organisationWithPeople(testApp: TestApp, name: string): Promise<{ organisation: TestOrganisation; people: Record<Role, Person> }> {
  const organisation = await createOrganisation(testApp, name);
  const people = {} as Record<Role, Person>;
  for (const role of ['admin', 'finance', 'programme_lead', 'reader'] as const) people[role] = await withPassword(testApp, organisation, role);
  expect(people.finance.email).toContain('finance.');
  return { organisation, people };
}
