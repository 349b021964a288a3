import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { created, orgPath } from './support.ts';

describe('governance records: bodies and decisions, histories, expectations', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  const at = (path: string) => orgPath(council, path);

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Recording Council');
  });
  afterAll(() => testApp?.close());

  it('records decisions taken at meetings, cited by commitment lines', async () => {
    const lead = council.as.programme_lead;
    const cabinet = await created(lead, at('/governance-bodies'), { name: 'Cabinet', kind: 'cabinet' });
    const board = await created(lead, at('/governance-bodies'), { name: 'Strategic Board', kind: 'board' });
    const meeting = await created(lead, at('/meetings'), { governanceBodyId: cabinet.id, heldOn: '2025-06-09', title: 'Cabinet' });
    const decision = await created(lead, at('/decisions'), {
      meetingId: meeting.id,
      recommendation: '3',
      text: 'Approve the spending plan',
      delegatedTo: "Director of Children's Services",
    });
    expect(decision).toMatchObject({ governanceBodyId: cabinet.id, governanceBody: 'Cabinet', decidedOn: '2025-06-09', reference: 'Cabinet 9 June 2025, recommendation 3' });

    const mismatch = await lead.post(at('/decisions'), { meetingId: meeting.id, governanceBodyId: board.id, text: 'x' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([{ path: 'meetingId', message: 'is a meeting of another governance body' }]);
    const moved = await lead.patch(at(`/meetings/${meeting.id}`), { governanceBodyId: board.id });
    expect(moved.status).toBe(422);
    expect(moved.body.type).toMatch(/invalid-state$/);

    const workstream = await created(lead, at('/workstreams'), { name: 'Family Help Partnership Group', objectives: 'One Family Help offer' });
    const grant = await createGrant(council);
    const line = await createLine(council.as.finance, grant.id, {
      title: 'Kinship Virtual Hub',
      category: 'family_help_delivery',
      amount: '85772',
      decisionRef: 'Cabinet 9 June 2025, recommendation 3',
      decisionId: decision.id,
      workstreamId: workstream.id,
    });
    expect(line).toMatchObject({ decisionId: decision.id, workstreamId: workstream.id, decisionRef: 'Cabinet 9 June 2025, recommendation 3' });
    const older = await createLine(council.as.finance, grant.id, { title: 'Older line', category: 'family_help_delivery', amount: '1', decisionRef: 'Cabinet 3 March 2025' });
    expect(older).toMatchObject({ decisionId: null, workstreamId: null });
    const cleared = await council.as.finance.patch(`/api/v1/commitments/${line.id}`, { workstreamId: null });
    expect(cleared.body).toMatchObject({ workstreamId: null, decisionId: decision.id, version: 2 });
    await council.as.finance.patch(`/api/v1/commitments/${older.id}`, { workstreamId: workstream.id });
    const inWorkstream = await council.as.reader.get(`/api/v1/grants/${grant.id}/commitments?workstreamId=${workstream.id}`);
    expect(inWorkstream.body.items.map((l: { title: string }) => l.title)).toEqual(['Older line']);
    const versions = await testApp.database.handle.db
      .selectFrom('commitment_versions')
      .select(['version', 'decision_id', 'workstream_id'])
      .where('commitment_id', '=', line.id)
      .orderBy('version')
      .execute();
    expect(versions).toEqual([
      { version: 1, decision_id: decision.id, workstream_id: workstream.id },
      { version: 2, decision_id: decision.id, workstream_id: null },
    ]);
  });

  it('gathers what belongs to a workstream: lines of every grant year, posts, secondments, milestones and risks', async () => {
    const lead = council.as.programme_lead;
    const workstream = await created(lead, at('/workstreams'), { name: 'Workforce Group', objectives: 'Recruit and train' });
    const other = await created(lead, at('/workstreams'), { name: 'Voice Steering Group', objectives: 'Hear families' });
    const thisYear = await createGrant(council, undefined, '2026-27');
    const nextYear = await createGrant(council, undefined, '2027-28');
    const first = await createLine(council.as.finance, thisYear.id, { title: 'Workforce 26-27', category: 'practice_workforce_ict', amount: '10', workstreamId: workstream.id });
    await createLine(council.as.finance, nextYear.id, { title: 'Workforce 27-28', category: 'practice_workforce_ict', amount: null, workstreamId: workstream.id });
    await createLine(council.as.finance, nextYear.id, { title: 'Voice', category: 'family_voice', amount: '5', workstreamId: other.id });
    await created(lead, at('/posts'), { title: 'Workforce Lead', headcount: 1, annualCost: '50000', status: 'recruiting', workstreamId: workstream.id, commitmentId: first.id });
    await created(lead, at('/secondments'), { partner: 'College', partnerType: 'education', role: 'Trainer', annualCost: '20000', status: 'offered', workstreamId: workstream.id });
    await created(lead, at('/milestones'), { title: 'Training plan', dueOn: '2026-06-30', workstreamId: workstream.id });
    await created(lead, at('/risks'), { title: 'Trainers unavailable', likelihood: 2, impact: 3, workstreamId: workstream.id });
    await created(lead, at('/risks'), { title: 'Not this one', likelihood: 2, impact: 3, workstreamId: other.id });

    const portfolio = await council.as.reader.get(at(`/workstreams/${workstream.id}/portfolio`));
    expect(portfolio.status).toBe(200);
    expect(portfolio.body.lines.map((l: { financialYear: string; title: string; amount: string | null }) => [l.financialYear, l.title, l.amount])).toEqual([
      ['2026-27', 'Workforce 26-27', '10.00'],
      ['2027-28', 'Workforce 27-28', null],
    ]);
    expect(portfolio.body.posts.map((p: { title: string }) => p.title)).toEqual(['Workforce Lead']);
    expect(portfolio.body.secondments.map((p: { role: string }) => p.role)).toEqual(['Trainer']);
    expect(portfolio.body.milestones.map((m: { title: string }) => m.title)).toEqual(['Training plan']);
    expect(portfolio.body.risks.map((r: { title: string }) => r.title)).toEqual(['Trainers unavailable']);
  });

  it('keeps every RAG rating with its date and comment, append-only', async () => {
    const lead = council.as.programme_lead;
    const workstream = await created(lead, at('/workstreams'), {
      name: 'ICT Development Group',
      objectives: 'One system',
      rag: 'amber',
      ragDate: '2025-09-01',
      ragComment: 'Scoping',
    });
    const id = workstream.id;
    await lead.patch(at(`/workstreams/${id}`), { rag: 'red', ragDate: '2025-10-01', ragComment: 'Procurement delayed' });
    await lead.patch(at(`/workstreams/${id}`), { ragComment: 'Procurement restarted', ragDate: '2025-11-01' });
    await lead.patch(at(`/workstreams/${id}`), { lead: 'Head of ICT' });
    const backdated = await lead.patch(at(`/workstreams/${id}`), { rag: 'green', ragDate: '2025-10-15' });
    expect(backdated.status).toBe(400);
    expect(backdated.body.errors[0]).toEqual({ path: 'ragDate', message: "must not be before the current rating's date (2025-11-01)" });
    const future = await lead.patch(at(`/workstreams/${id}`), { rag: 'green', ragDate: '2999-01-01' });
    expect(future.body.errors[0]).toEqual({ path: 'ragDate', message: 'must not be in the future' });
    const unrated = await created(lead, at('/workstreams'), { name: 'Unrated', objectives: 'O' });
    const commentOnly = await lead.patch(at(`/workstreams/${unrated.id}`), { ragComment: 'No rating yet' });
    expect(commentOnly.body.errors[0].path).toBe('rag');

    const current = (await lead.get(at(`/workstreams/${id}`))).body;
    expect(current).toMatchObject({ rag: 'red', ragDate: '2025-11-01', ragComment: 'Procurement restarted', lead: 'Head of ICT', version: 4 });
    const history = await council.as.reader.get(at(`/workstreams/${id}/rag-history`));
    expect(history.body.items.map((h: { rag: string; ragDate: string; comment: string }) => [h.rag, h.ragDate, h.comment])).toEqual([
      ['amber', '2025-09-01', 'Scoping'],
      ['red', '2025-10-01', 'Procurement delayed'],
      ['red', '2025-11-01', 'Procurement restarted'],
    ]);
    await expect(testApp.database.handle.db.deleteFrom('workstream_rag_history').where('workstream_id', '=', id).execute()).rejects.toThrow(/append-only/);

    const report = (await council.as.reader.get(at('/programme-report?asOf=2025-10-20'))).body;
    expect(report.workstreams.find((w: { id: string }) => w.id === id)).toMatchObject({ rag: 'red', ragDate: '2025-10-01', commentary: 'Procurement delayed' });
  });

  it('scores risks and keeps the history of each assessment', async () => {
    const lead = council.as.programme_lead;
    const risk = await created(lead, at('/risks'), {
      ref: 'R1',
      title: 'Partners cannot release staff',
      owner: 'Programme Lead',
      likelihood: 3,
      impact: 4,
      assessedOn: '2025-07-01',
      reviewOn: '2025-10-01',
    });
    expect(risk).toMatchObject({ score: 12, status: 'open', assessedOn: '2025-07-01' });
    const raised = await lead.patch(at(`/risks/${risk.id}`), { likelihood: 5, assessedOn: '2025-09-01', assessmentComment: 'Police withdrew their offer' });
    expect(raised.body).toMatchObject({ likelihood: 5, impact: 4, score: 20, assessmentComment: 'Police withdrew their offer' });
    const reworded = await lead.patch(at(`/risks/${risk.id}`), { mitigation: 'Ask the ICB' });
    expect(reworded.body).toMatchObject({ score: 20, assessedOn: '2025-09-01', assessmentComment: 'Police withdrew their offer' });
    await lead.patch(at(`/risks/${risk.id}`), { impact: 2, likelihood: 2, assessedOn: '2025-11-01', status: 'closed' });
    const history = await council.as.reader.get(at(`/risks/${risk.id}/history`));
    expect(
      history.body.items.map((h: { likelihood: number; impact: number; score: number; assessedOn: string; comment: string | null }) => [
        h.likelihood,
        h.impact,
        h.score,
        h.assessedOn,
        h.comment,
      ]),
    ).toEqual([
      [3, 4, 12, '2025-07-01', null],
      [5, 4, 20, '2025-09-01', 'Police withdrew their offer'],
      [2, 2, 4, '2025-11-01', null],
    ]);
    const open = await council.as.reader.get(at('/risks?status=open'));
    expect(open.body.items.map((r: { id: string }) => r.id)).not.toContain(risk.id);
  });

  it("lists the DfE's expectations with the organisation's progress, and its own after them", async () => {
    const lead = council.as.programme_lead;
    const list = await council.as.reader.get(at('/expectations'));
    expect(list.body.items).toHaveLength(24);
    expect(list.body.items[0]).toMatchObject({ code: 'FH-01', builtIn: true, area: 'family_help', status: 'not_started', dueBy: '2027-03-31', version: 0 });
    expect(list.body.items.map((e: { code: string }) => e.code).slice(-1)).toEqual(['FN-01']);

    const fresh = await council.as.reader.get(at('/expectations/cp-01'));
    expect(fresh.headers.etag).toBe(`"${fresh.body.id}.0"`);
    const progressed = await lead.patch(
      at(`/expectations/${fresh.body.id}`),
      { status: 'in_progress', owner: 'Head of Safeguarding', evidence: 'Team leader appointed' },
      { 'if-match': String(fresh.headers.etag) },
    );
    expect(progressed.status).toBe(200);
    expect(progressed.body).toMatchObject({ code: 'CP-01', status: 'in_progress', version: 1 });
    const stale = await lead.patch(at('/expectations/CP-01'), { status: 'met' }, { 'if-match': String(fresh.headers.etag) });
    expect(stale.status).toBe(412);
    const reworded = await lead.patch(at('/expectations/CP-01'), { title: 'Our own wording' });
    expect(reworded.status).toBe(400);
    expect(reworded.body.errors[0].path).toBe('title');

    const own = await created(lead, at('/expectations'), { code: 'LOCAL-01', area: 'Local', title: 'Kinship carers offered a support plan', status: 'in_progress' });
    expect(own).toMatchObject({ builtIn: false, code: 'LOCAL-01', version: 1 });
    const taken = await lead.post(at('/expectations'), { code: 'fh-01', title: 'Clash' });
    expect(taken.status).toBe(409);
    const inProgress = await council.as.reader.get(at('/expectations?status=in_progress'));
    expect(inProgress.body.items.map((e: { code: string }) => e.code)).toEqual(['CP-01', 'LOCAL-01']);

    const other = await createOrganisation(testApp, 'Untouched Council');
    const theirs = await other.as.reader.get(`/api/v1/organisations/${other.id}/expectations/CP-01`);
    expect(theirs.body).toMatchObject({ status: 'not_started', evidence: null, version: 0 });
  });

  it('dates a milestone completed when it is marked complete', async () => {
    const lead = council.as.programme_lead;
    const milestone = await created(lead, at('/milestones'), { title: 'Needs analysis', dueOn: '2025-12-31' });
    expect(milestone).toMatchObject({ status: 'not_started', completedOn: null });
    const early = await lead.patch(at(`/milestones/${milestone.id}`), { completedOn: '2025-12-01' });
    expect(early.body.errors).toEqual([{ path: 'completedOn', message: 'is only for a complete milestone' }]);
    const done = await lead.patch(at(`/milestones/${milestone.id}`), { status: 'complete', completedOn: '2025-12-10' });
    expect(done.body).toMatchObject({ status: 'complete', completedOn: '2025-12-10' });
    const reopened = await lead.patch(at(`/milestones/${milestone.id}`), { status: 'in_progress' });
    expect(reopened.body).toMatchObject({ status: 'in_progress', completedOn: null });
  });

  it('keeps full-time FTE with the headcount, and a postholder only for a single post', async () => {
    const lead = council.as.programme_lead;
    const post = await created(lead, at('/posts'), { title: 'Navigator', headcount: 2, annualCost: '70000', status: 'in_post' });
    expect(post.fte).toBe('2.00');
    expect((await lead.patch(at(`/posts/${post.id}`), { headcount: 3 })).body.fte).toBe('3.00');
    expect((await lead.patch(at(`/posts/${post.id}`), { fte: '2.5' })).body.fte).toBe('2.50');
    expect((await lead.patch(at(`/posts/${post.id}`), { headcount: 4 })).body.fte).toBe('2.50');
    const over = await lead.patch(at(`/posts/${post.id}`), { fte: '4.5' });
    expect(over.body.errors).toEqual([{ path: 'fte', message: 'must not exceed the headcount (4)' }]);
    const named = await lead.patch(at(`/posts/${post.id}`), { postholder: 'A. Person' });
    expect(named.body.errors[0].path).toBe('postholder');
  });

  it('splits a post record so cost and FTE still add up to the penny, audited both sides', async () => {
    const lead = council.as.programme_lead;
    const post = await created(lead, at('/posts'), { title: 'Family Support Worker', headcount: 3, fte: '2.5', annualCost: '100000.00', status: 'recruiting', grade: 'SO1' });
    const split = await lead.post(at(`/posts/${post.id}/split`), { headcount: 1, status: 'in_post', startDate: '2025-11-03' });
    expect(split.status, JSON.stringify(split.body)).toBe(201);
    expect(split.body.original).toMatchObject({ headcount: 2, fte: '1.67', annualCost: '66666.67', status: 'recruiting' });
    expect(split.body.created).toMatchObject({ headcount: 1, fte: '0.83', annualCost: '33333.33', status: 'in_post', grade: 'SO1', startDate: '2025-11-03' });
    const audit = await testApp.database.handle.db
      .selectFrom('audit_records')
      .select(['action', 'entity_id'])
      .where('entity', '=', 'post')
      .where('entity_id', 'in', [post.id, split.body.created.id])
      .orderBy('seq')
      .execute();
    expect(audit.map((r) => `${r.action} ${r.entity_id === post.id ? 'original' : 'new'}`)).toEqual(['create original', 'split original', 'create new']);
  });
});
