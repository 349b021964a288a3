import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { auditOf, createGovernanceRecords, created, orgPath, rowCounts } from './support.ts';

/** Refused writes leave nothing behind; one council never reaches another's records; every write is attributable. */
describe('governance records: validation, tenancy, concurrency and audit', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let neighbour: TestOrganisation;
  let ours: Record<string, string>;
  let theirs: Record<string, string>;
  let theirLine: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Our Council');
    neighbour = await createOrganisation(testApp, 'Neighbouring Council');
    ours = await createGovernanceRecords(council);
    theirs = await createGovernanceRecords(neighbour);
    const theirGrant = await createGrant(neighbour);
    theirLine = (await createLine(neighbour.as.finance, theirGrant.id, { title: 'Their line', category: 'transformation', amount: '100' })).id;
  });
  afterAll(() => testApp?.close());

  /** Sends a write that must be refused with `status`, and proves no table changed. */
  async function refused(send: () => Promise<{ status: number; body: any }>, status: number, paths: string[] = []) {
    const before = await rowCounts(testApp);
    const response = await send();
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (paths.length) expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    expect(await rowCounts(testApp)).toEqual(before);
    return response.body;
  }

  it('refuses an end before its start, on create and when a PATCH would leave one', async () => {
    const lead = council.as.programme_lead;
    await refused(
      () => lead.post(orgPath(council, '/posts'), { title: 'X', headcount: 1, annualCost: '1', status: 'planned', startDate: '2025-10-01', endDate: '2025-09-30' }),
      400,
      ['endDate'],
    );
    await refused(
      () => lead.post(orgPath(council, '/secondments'), { partner: 'P', role: 'R', annualCost: '1', status: 'offered', startDate: '2025-10-01', endDate: '2025-01-01' }),
      400,
      ['endDate'],
    );
    await refused(() => lead.post(orgPath(council, '/governance-bodies'), { name: 'Board', termsAgreedOn: '2025-06-01', termsReviewDue: '2025-05-01' }), 400, ['termsReviewDue']);
    const post = await created(lead, orgPath(council, '/posts'), { title: 'Dated', headcount: 1, annualCost: '1', status: 'planned', startDate: '2025-10-01' });
    const body = await refused(() => lead.patch(orgPath(council, `/posts/${post.id}`), { endDate: '2025-09-01' }), 400, ['endDate']);
    expect(body.errors[0].message).toBe('must not be before startDate (2025-10-01)');
    expect((await lead.get(orgPath(council, `/posts/${post.id}`))).body).toMatchObject({ version: 1, endDate: null });
  });

  it('refuses unknown enum values, out-of-range numbers and unknown fields, naming each', async () => {
    const lead = council.as.programme_lead;
    await refused(() => lead.post(orgPath(council, '/posts'), { title: 'X', headcount: 0, annualCost: '1.005', status: 'vacant' }), 400, ['headcount', 'annualCost', 'status']);
    await refused(() => lead.post(orgPath(council, '/workstreams'), { name: 'W', objectives: 'O', rag: 'purple' }), 400, ['rag']);
    await refused(() => lead.post(orgPath(council, '/secondments'), { partner: 'P', role: 'R', annualCost: '1', status: 'pending', costShare: '1.5' }), 400, [
      'costShare',
      'status',
    ]);
    await refused(() => lead.post(orgPath(council, '/risks'), { title: 'R', likelihood: 6, impact: 2.5 }), 400, ['likelihood', 'impact']);
    await refused(() => lead.patch(orgPath(council, `/expectations/FH-01`), { status: 'done' }), 400, ['status']);
    await refused(() => lead.post(orgPath(council, '/milestones'), { title: 'M', dueOn: '2025-02-30' }), 400, ['dueOn']);
    await refused(() => lead.post(orgPath(council, '/governance-bodies'), { name: 'Cabinet', colour: 'blue' }), 400, ['colour']);
    await refused(() => lead.patch(orgPath(council, `/workstreams/${ours.workstreams}`), {}), 400);
  });

  it("refuses links to another organisation's records as unknown, writing nothing", async () => {
    const lead = council.as.programme_lead;
    const post = { title: 'Linked', headcount: 1, annualCost: '1', status: 'planned' };
    await refused(() => lead.post(orgPath(council, '/posts'), { ...post, commitmentId: theirLine, workstreamId: theirs.workstreams }), 400, ['workstreamId', 'commitmentId']);
    await refused(() => lead.patch(orgPath(council, `/posts/${ours.posts}`), { workstreamId: theirs.workstreams }), 400, ['workstreamId']);
    await refused(() => lead.post(orgPath(council, '/workstreams'), { name: 'Linked', objectives: 'O', governanceBodyId: theirs['governance-bodies'] }), 400, ['governanceBodyId']);
    await refused(() => lead.post(orgPath(council, '/meetings'), { governanceBodyId: theirs['governance-bodies'], heldOn: '2025-07-01' }), 400, ['governanceBodyId']);
    await refused(() => lead.post(orgPath(council, '/decisions'), { meetingId: theirs.meetings, text: 'T' }), 400, ['meetingId', 'governanceBodyId', 'decidedOn']);
    await refused(() => lead.post(orgPath(council, '/milestones'), { title: 'M', dueOn: '2025-12-31', workstreamId: theirs.workstreams }), 400, ['workstreamId']);
    await refused(() => lead.post(orgPath(council, '/risks'), { title: 'R', likelihood: 1, impact: 1, workstreamId: theirs.workstreams }), 400, ['workstreamId']);
    await refused(() => lead.post(orgPath(council, '/secondments'), { partner: 'P', role: 'R', annualCost: '1', status: 'offered', commitmentId: theirLine }), 400, [
      'commitmentId',
    ]);
    const ourGrant = await createGrant(council);
    await refused(
      () =>
        council.as.finance.post(`/api/v1/grants/${ourGrant.id}/commitments`, {
          title: 'L',
          category: 'transformation',
          amount: '1',
          decisionId: theirs.decisions,
          workstreamId: theirs.workstreams,
        }),
      400,
      ['decisionId', 'workstreamId'],
    );
  });

  it("answers 404 for another organisation's record under this organisation's path, and changes nothing", async () => {
    const change: Record<string, object> = { risks: { mitigation: 'mine now' }, expectations: { evidence: 'mine now' } };
    for (const [path, id] of Object.entries(theirs)) {
      expect((await council.as.reader.get(orgPath(council, `/${path}/${id}`))).status, path).toBe(404);
      await refused(() => council.as.programme_lead.patch(orgPath(council, `/${path}/${id}`), change[path] ?? { notes: 'mine now' }), 404);
    }
    expect((await council.as.reader.get(orgPath(council, `/workstreams/${theirs.workstreams}/rag-history`))).status).toBe(404);
    expect((await council.as.reader.get(orgPath(council, '/posts/not-an-id'))).status).toBe(404);
    const list = await council.as.reader.get(orgPath(council, '/posts'));
    expect(list.body.items.every((p: { organisationId: string }) => p.organisationId === council.id)).toBe(true);
  });

  it('lets the programme lead and admins write, and refuses readers and finance officers', async () => {
    const body = { title: 'Role check', dueOn: '2026-01-31' };
    await refused(() => council.as.reader.post(orgPath(council, '/milestones'), body), 403);
    await refused(() => council.as.finance.post(orgPath(council, '/milestones'), body), 403);
    await refused(() => council.as.finance.patch(orgPath(council, `/milestones/${ours.milestones}`), { status: 'complete' }), 403);
    expect((await council.as.programme_lead.post(orgPath(council, '/milestones'), body)).status).toBe(201);
    expect((await council.as.admin.post(orgPath(council, '/milestones'), body)).status).toBe(201);
    await refused(() => neighbour.as.admin.post(orgPath(council, '/milestones'), body), 404);
  });

  it('refuses a stale If-Match with 412 and leaves the record as it was', async () => {
    const lead = council.as.programme_lead;
    const read = await lead.get(orgPath(council, `/risks/${ours.risks}`));
    const etag = String(read.headers.etag);
    expect(etag).toBe(`"${ours.risks}.1"`);
    const first = await lead.patch(orgPath(council, `/risks/${ours.risks}`), { mitigation: 'Agency cover' }, { 'if-match': etag });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe(`"${ours.risks}.2"`);
    const stale = await refused(() => lead.patch(orgPath(council, `/risks/${ours.risks}`), { mitigation: 'Something else' }, { 'if-match': etag }), 412);
    expect(stale.type).toMatch(/precondition-failed$/);
    expect((await lead.get(orgPath(council, `/risks/${ours.risks}`))).body).toMatchObject({ mitigation: 'Agency cover', version: 2 });
  });

  it('refuses a name or ref the organisation already uses with 409', async () => {
    const lead = council.as.programme_lead;
    await refused(() => lead.post(orgPath(council, '/workstreams'), { name: 'workforce group', objectives: 'Again' }), 409);
    await refused(() => lead.post(orgPath(council, '/governance-bodies'), { name: 'Delivery Group' }), 409);
    await created(lead, orgPath(council, '/risks'), { ref: 'R9', title: 'First', likelihood: 1, impact: 1 });
    await refused(() => lead.post(orgPath(council, '/risks'), { ref: 'r9', title: 'Second', likelihood: 1, impact: 1 }), 409);
    // Another council may use the same names.
    await created(neighbour.as.programme_lead, orgPath(neighbour, '/risks'), { ref: 'R9', title: 'Theirs', likelihood: 1, impact: 1 });
  });

  it('writes an audit record with each create and change, saying who and what changed', async () => {
    const lead = council.as.programme_lead;
    const post = await created(lead, orgPath(council, '/posts'), { title: 'Audited', headcount: 2, annualCost: '50000.00', status: 'planned' });
    await lead.patch(orgPath(council, `/posts/${post.id}`), { status: 'recruiting', annualCost: '52000' });
    const records = await auditOf(testApp, 'post', post.id);
    expect(records.map((r) => r.action)).toEqual(['create', 'update']);
    expect(records.every((r) => r.actor_id === council.userIds.programme_lead && r.organisation_id === council.id)).toBe(true);
    expect(records[0]!.after).toMatchObject({ title: 'Audited', headcount: 2, annualCost: '50000.00', status: 'planned' });
    expect(records[1]).toMatchObject({ before: { status: 'planned', annualCost: '50000.00' }, after: { status: 'recruiting', annualCost: '52000.00' } });
    for (const [path, id] of Object.entries(ours)) {
      const entity = { 'governance-bodies': 'governance_body' }[path] ?? path.replace(/s$/, '');
      expect(
        (await auditOf(testApp, entity, id)).map((r) => r.action),
        path,
      ).toContain('create');
    }
    const verify = await council.as.reader.get(orgPath(council, '/audit/verify'));
    expect(verify.body.ok).toBe(true);
  });
});
