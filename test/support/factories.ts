import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import type { Role } from '../../src/db/tables.ts';
import { type Api, apiAs, type TestApp } from './app.ts';

let organisationCounter = 0;

/** A GSS-shaped code unique within the test database. */
function uniqueOrganisationCode(): string {
  organisationCounter += 1;
  return `E${String(randomInt(10_000_000)).padStart(4, '0').slice(0, 4)}${String(organisationCounter).padStart(4, '0')}`;
}

export interface TestOrganisation {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  /** An API client per role, each a member of this organisation only. */
  readonly as: Record<Role, Api>;
  readonly userIds: Record<Role, string>;
}

export async function createOrganisation(testApp: TestApp, name = 'Test Council', kind: 'council' | 'region' | 'national' = 'council'): Promise<TestOrganisation> {
  const admin = apiAs(testApp.app, testApp.adminToken);
  const created = await admin.post('/api/v1/organisations', { name, code: uniqueOrganisationCode(), emailDomains: ['example.gov.uk'], kind });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const organisation = created.body as { id: string; name: string; code: string };
  const roles: Role[] = ['admin', 'finance', 'programme_lead', 'reader'];
  const as = {} as Record<Role, Api>;
  const userIds = {} as Record<Role, string>;
  for (const role of roles) {
    const member = await admin.post(`/api/v1/organisations/${organisation.id}/users`, {
      email: `${role}.${organisation.code.toLowerCase()}@example.gov.uk`,
      name: `${role} of ${name}`,
      role,
    });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const token = await admin.post(`/api/v1/users/${member.body.id}/tokens`, { name: 'tests', organisationId: organisation.id });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    as[role] = apiAs(testApp.app, token.body.token);
    userIds[role] = member.body.id;
  }
  return { ...organisation, as, userIds };
}

export interface TrancheInput {
  amount: string | number;
  description: string;
  status: 'confirmed' | 'provisional';
  receivedOn?: string;
  determinationRef?: string;
}

export async function createGrant(
  organisation: TestOrganisation,
  tranches: TrancheInput[] = [{ amount: '1000.00', description: 'Prevention Grant', status: 'confirmed' }],
  financialYear = '2025-26',
): Promise<{ id: string; allocation: string; tranches: { id: string }[] }> {
  const response = await organisation.as.finance.post(`/api/v1/organisations/${organisation.id}/grants`, {
    scheme: 'csc-prevention',
    financialYear,
    tranches,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

export async function createLine(api: Api, grantId: string, line: Record<string, unknown>): Promise<any> {
  const response = await api.post(`/api/v1/grants/${grantId}/commitments`, line);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}
