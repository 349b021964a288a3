import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { created, orgPath } from './support.ts';

/** The example council's programme (docs/domain.md): six workstreams reporting to the delivery group, and the posts of the example council. */
const WORKSTREAMS = [
  { name: 'Family Help Partnership Group', rag: 'green', ragComment: 'Partnership agreement signed by all agencies.' },
  { name: 'Workforce Group', rag: 'amber', ragComment: 'Attendance Lead recruitment has slipped to the new year.' },
  { name: 'Practice Development Group', rag: 'green', ragComment: 'Practice framework drafted.' },
  { name: "Statutory Children's Service Multi-Agency Steering Group", rag: 'amber', ragComment: 'Police and health membership agreed; education to follow.' },
  { name: 'ICT Development Group', rag: 'red', ragComment: 'Single-system procurement not yet started.' },
  { name: 'Voice Steering Group', rag: 'green', ragComment: 'Young advisors recruited.' },
] as const;

const POSTS = [
  { title: 'Strategic Programme Lead', headcount: 1, annualCost: '72000.00', status: 'in_post', startDate: '2025-09-01' },
  { title: 'Participation Lead', headcount: 1, annualCost: '45000.00', status: 'in_post', startDate: '2025-10-13' },
  { title: 'Communications and Marketing Manager', headcount: 1, annualCost: '48000.00', status: 'in_post', startDate: '2025-10-13' },
  { title: 'Attendance Lead', headcount: 3, annualCost: '126000.00', status: 'recruiting', plannedStartDate: '2025-11-01' },
  { title: 'Family Help Navigator', headcount: 2, annualCost: '70000.00', status: 'in_post', startDate: '2025-09-15' },
] as const;

describe('the example council’s programme, entered through the API', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  const postIds: Record<string, string> = {};

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Example Metropolitan Borough Council');
    const lead = council.as.programme_lead;
    const group = await created(lead, orgPath(council, '/governance-bodies'), {
      name: 'Families First Partnership Delivery Group',
      kind: 'delivery_group',
      termsAgreedOn: '2025-05-20',
      termsReviewDue: '2026-05-20',
    });
    for (const workstream of WORKSTREAMS) {
      await created(lead, orgPath(council, '/workstreams'), {
        ...workstream,
        objectives: `Deliver the ${workstream.name} plan`,
        governanceBodyId: group.id,
        ragDate: '2025-11-03',
      });
    }
    for (const post of POSTS) postIds[post.title] = (await created(lead, orgPath(council, '/posts'), post)).id;
    await created(lead, orgPath(council, '/secondments'), {
      partner: 'West Yorkshire Police',
      partnerType: 'police',
      role: 'Detective Sergeant',
      annualCost: '68000',
      status: 'in_post',
      startDate: '2025-10-01',
    });
    await created(lead, orgPath(council, '/secondments'), {
      partner: 'Integrated Care Board',
      partnerType: 'health',
      role: 'Named Nurse',
      annualCost: '60000',
      status: 'interviewing',
      sharedWith: 'Neighbouring Council',
      costShare: '0.5',
    });
    await created(lead, orgPath(council, '/milestones'), { title: 'Joint Family Help needs analysis', dueOn: '2025-12-31', status: 'in_progress' });
    await created(lead, orgPath(council, '/milestones'), { title: 'Refreshed threshold document agreed', dueOn: '2026-02-27' });
    await created(lead, orgPath(council, '/milestones'), { title: 'Launch event', dueOn: '2025-10-01', status: 'complete', completedOn: '2025-10-01' });
    await created(lead, orgPath(council, '/risks'), {
      ref: 'R1',
      title: 'Attendance Leads not recruited in time',
      likelihood: 4,
      impact: 4,
      assessedOn: '2025-11-03',
      mitigation: 'Agency cover',
    });
    await created(lead, orgPath(council, '/risks'), { ref: 'R2', title: 'Health partners cannot release staff', likelihood: 3, impact: 5, assessedOn: '2025-11-03' });
    await created(lead, orgPath(council, '/risks'), { ref: 'R3', title: 'Old risk', likelihood: 5, impact: 5, assessedOn: '2025-11-03', status: 'closed' });
    expect((await lead.patch(orgPath(council, '/expectations/FH-02'), { status: 'met', evidence: 'Threshold document published October 2025' })).status).toBe(200);
    expect((await lead.patch(orgPath(council, '/expectations/FD-01'), { status: 'in_progress' })).status).toBe(200);
  });
  afterAll(() => testApp?.close());

  it('keeps the six workstreams with their ratings and commentary', async () => {
    const list = await council.as.reader.get(orgPath(council, '/workstreams'));
    expect(list.status).toBe(200);
    expect(list.body.items.map((w: { name: string; rag: string }) => [w.name, w.rag])).toEqual(WORKSTREAMS.map((w) => [w.name, w.rag]));
  });

  it('reports workstreams, posts filled against planned, secondments, milestones, risks and expectations', async () => {
    const response = await council.as.reader.get(orgPath(council, '/programme-report?asOf=2026-01-15'));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const report = response.body;
    expect(report.organisation.name).toBe('Example Metropolitan Borough Council');
    expect(report.asOf).toBe('2026-01-15');
    expect(report.workstreams).toHaveLength(6);
    expect(report.workstreams[4]).toMatchObject({
      name: 'ICT Development Group',
      governanceBody: 'Families First Partnership Delivery Group',
      rag: 'red',
      ragDate: '2025-11-03',
      commentary: 'Single-system procurement not yet started.',
    });
    expect(report.posts).toMatchObject({ establishment: 8, filled: 5, recruiting: 3, planned: 0, unfilled: 0, ended: 0 });
    expect(report.posts.roles.map((role: { summary: string }) => role.summary)).toEqual([
      'Strategic Programme Lead ×1: 1 in post from 1 September 2025',
      'Participation Lead ×1: 1 in post from 13 October 2025',
      'Communications and Marketing Manager ×1: 1 in post from 13 October 2025',
      'Attendance Lead ×3: 3 recruiting',
      'Family Help Navigator ×2: 2 in post from 15 September 2025',
    ]);
    expect(report.secondments.byStatus).toEqual([
      { status: 'interviewing', label: 'interviewing', count: 1 },
      { status: 'in_post', label: 'in post', count: 1 },
    ]);
    expect(report.milestones.late.map((m: { title: string; daysLate: number }) => [m.title, m.daysLate])).toEqual([['Joint Family Help needs analysis', 15]]);
    expect(report.milestones.due.map((m: { title: string }) => m.title)).toEqual(['Refreshed threshold document agreed']);
    expect(report.risks.open).toBe(2);
    expect(report.risks.top.map((r: { ref: string; score: number }) => [r.ref, r.score])).toEqual([
      ['R1', 16],
      ['R2', 15],
    ]);
    expect(report.expectations).toMatchObject({ total: 24, met: 1, inProgress: 1, notStarted: 22 });
  });

  it('expresses "Attendance Leads ×3, 1 in post, 2 recruiting" once one is appointed', async () => {
    const lead = council.as.programme_lead;
    const url = orgPath(council, `/posts/${postIds['Attendance Lead']}`);
    const recruiting = await lead.get(url);
    const split = await lead.post(
      `${url}/split`,
      { headcount: 1, status: 'in_post', startDate: '2026-01-05', postholder: 'A. Person' },
      { 'if-match': String(recruiting.headers.etag) },
    );
    expect(split.status, JSON.stringify(split.body)).toBe(201);
    expect(split.body.original).toMatchObject({ headcount: 2, fte: '2.00', annualCost: '84000.00', status: 'recruiting', version: 2 });
    expect(split.body.created).toMatchObject({
      title: 'Attendance Lead',
      headcount: 1,
      fte: '1.00',
      annualCost: '42000.00',
      status: 'in_post',
      startDate: '2026-01-05',
      postholder: 'A. Person',
    });
    const again = await lead.post(`${url}/split`, { headcount: 1, status: 'in_post' }, { 'if-match': String(recruiting.headers.etag) });
    expect(again.status).toBe(412);
    const all = await lead.post(`${url}/split`, { headcount: 2, status: 'in_post' });
    expect(all.body.errors[0].path).toBe('headcount');

    const report = (await council.as.reader.get(orgPath(council, '/programme-report?asOf=2026-01-15'))).body;
    expect(report.posts).toMatchObject({ establishment: 8, filled: 6, recruiting: 2 });
    expect(report.posts.roles.find((role: { title: string }) => role.title === 'Attendance Lead')).toMatchObject({
      headcount: 3,
      inPost: 1,
      recruiting: 2,
      inPostFrom: '2026-01-05',
      summary: 'Attendance Lead ×3: 1 in post from 5 January 2026, 2 recruiting',
    });
  });

  it('gives the same report as Markdown, HTML and a Word document', async () => {
    const markdown = await council.as.reader.get(orgPath(council, '/programme-report?format=md&asOf=2026-01-15'));
    expect(markdown.status).toBe(200);
    expect(markdown.headers['content-type']).toMatch(/^text\/markdown/);
    expect(markdown.headers['content-disposition']).toMatch(/attachment; filename="programme-report-E\d{8}-2026-01-15\.md"/);
    expect(markdown.body).toContain('## Workstreams');
    expect(markdown.body).toContain(
      '| ICT Development Group | — | Families First Partnership Delivery Group | Active | Red (3 November 2025) | Single-system procurement not yet started. |',
    );
    expect(markdown.body).toContain('| Attendance Lead | 3 | 1 in post from 5 January 2026, 2 recruiting |');
    expect(markdown.body).toContain('6 of 8 posts filled: 2 recruiting.');
    expect(markdown.body).toContain("| Statutory Children's Service Multi-Agency Steering Group |");

    const html = await council.as.reader.get(orgPath(council, '/programme-report?format=html&asOf=2026-01-15'));
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain(
      '<td style="border:1px solid #000;padding:2pt 4pt;vertical-align:top;text-align:left">Statutory Children&#39;s Service Multi-Agency Steering Group</td>',
    );
    expect(html.body).toContain('1 of 24 met; 1 in progress; 22 not started.');

    const word = await testApp.app.inject({
      method: 'GET',
      url: orgPath(council, '/programme-report?format=docx&asOf=2026-01-15'),
      headers: { authorization: `Bearer ${await readerToken(council)}` },
    });
    expect(word.statusCode).toBe(200);
    expect(word.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const xml = await (await JSZip.loadAsync(word.rawPayload)).file('word/document.xml')!.async('string');
    expect(xml).toContain('Programme progress report');
    expect(xml).toContain('Family Help Navigator');
    expect(xml).toContain('2 in post from 15 September 2025');
    expect(xml).toContain('Attendance Leads not recruited in time');
  });

  it('refuses an unknown format and a malformed date', async () => {
    expect((await council.as.reader.get(orgPath(council, '/programme-report?format=pdf'))).status).toBe(400);
    expect((await council.as.reader.get(orgPath(council, '/programme-report?asOf=2026-13-01'))).status).toBe(400);
  });
});

async function readerToken(council: TestOrganisation): Promise<string> {
  const issued = await council.as.admin.post(`/api/v1/users/${council.userIds.reader}/tokens`, { name: 'word', organisationId: council.id });
  return issued.body.token;
}
