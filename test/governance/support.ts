import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Api, TestApp } from '../support/app.ts';
import type { TestOrganisation } from '../support/factories.ts';

export const orgPath = (council: { id: string }, path = '') => `/api/v1/organisations/${council.id}${path}`;

/** POSTs as the programme lead and insists on 201. */
export async function created(api: Api, url: string, body: Record<string, unknown>): Promise<any> {
  const response = await api.post(url, body);
  expect(response.status, `${url}: ${JSON.stringify(response.body)}`).toBe(201);
  return response.body;
}

/** One record of every governance kind, keyed by its collection's path: what the access matrix fills {id} with. */
export async function createGovernanceRecords(council: TestOrganisation): Promise<Record<string, string>> {
  const lead = council.as.programme_lead;
  const at = (path: string) => orgPath(council, `/${path}`);
  const body = await created(lead, at('governance-bodies'), { name: 'Delivery Group', kind: 'delivery_group' });
  const meeting = await created(lead, at('meetings'), { governanceBodyId: body.id, heldOn: '2025-06-09' });
  const decision = await created(lead, at('decisions'), { meetingId: meeting.id, recommendation: '1', text: 'Approve the programme' });
  const workstream = await created(lead, at('workstreams'), { name: 'Workforce Group', objectives: 'Grow the workforce', rag: 'green', ragDate: '2025-06-10' });
  const post = await created(lead, at('posts'), { title: 'Programme Manager', headcount: 1, annualCost: '60000', status: 'planned' });
  const secondment = await created(lead, at('secondments'), { partner: 'Police', role: 'Detective Sergeant', annualCost: '70000', status: 'offered' });
  const milestone = await created(lead, at('milestones'), { title: 'Needs analysis', dueOn: '2025-12-31' });
  const expectation = await created(lead, at('expectations'), { code: 'LOCAL-01', title: 'Local offer published' });
  const risk = await created(lead, at('risks'), { title: 'Recruitment is slow', likelihood: 3, impact: 4, assessedOn: '2025-06-10' });
  return {
    'governance-bodies': body.id,
    meetings: meeting.id,
    decisions: decision.id,
    workstreams: workstream.id,
    posts: post.id,
    secondments: secondment.id,
    milestones: milestone.id,
    expectations: expectation.id,
    risks: risk.id,
  };
}

const GOVERNANCE_TABLES = [
  'governance_bodies',
  'meetings',
  'decisions',
  'workstreams',
  'workstream_rag_history',
  'posts',
  'secondments',
  'milestones',
  'organisation_expectations',
  'risks',
  'risk_score_history',
  'commitments',
  'audit_records',
] as const;

/** Row counts of every table a governance write touches, to prove a refused write left nothing. */
export async function rowCounts(testApp: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of GOVERNANCE_TABLES) {
    const result = await sql<{ count: number }>`SELECT count(*)::int AS count FROM ${sql.table(table)}`.execute(testApp.database.handle.db);
    counts[table] = Number(result.rows[0]?.count);
  }
  return counts;
}

/** The audit records of one record, oldest first. */
export async function auditOf(testApp: TestApp, entity: string, entityId: string) {
  return testApp.database.handle.db
    .selectFrom('audit_records')
    .select(['action', 'actor_id', 'before', 'after', 'organisation_id'])
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
}
