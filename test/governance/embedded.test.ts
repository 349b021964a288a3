import { describe, expect, it } from 'vitest';
import { startEmbeddedApp } from '../support/embedded.ts';

/** PGlite holds one connection: a query on the pool inside a transaction would hang, so every governance write is run here once. */
// PGlite is PostgreSQL compiled to WebAssembly: starting and migrating it takes seconds alone and far
// longer on a loaded 2-core machine, so a whole journey on it gets minutes, not the default 30 s.
describe('programme governance on the embedded PGlite default', { timeout: 180_000 }, () => {
  it('records, reconciles and reports', async () => {
    const { app, admin: api, token, close } = await startEmbeddedApp('ringfence-governance-');
    try {
      const ok = async (response: Promise<{ status: number; body: any }>, status = 201) => {
        const { status: actual, body } = await response;
        expect(actual, JSON.stringify(body)).toBe(status);
        return body;
      };
      const organisation = await ok(api.post('/api/v1/organisations', { name: 'Embedded Council', code: 'E06000098' }));
      const at = (path: string) => `/api/v1/organisations/${organisation.id}${path}`;
      const grant = await ok(
        api.post(at('/grants'), { scheme: 'csc-prevention', financialYear: '2025-26', tranches: [{ amount: '1000000', description: 'Allocation', status: 'confirmed' }] }),
      );
      const body = await ok(api.post(at('/governance-bodies'), { name: 'Cabinet', kind: 'cabinet' }));
      const meeting = await ok(api.post(at('/meetings'), { governanceBodyId: body.id, heldOn: '2025-06-09' }));
      const decision = await ok(api.post(at('/decisions'), { meetingId: meeting.id, recommendation: '3', text: 'Approve' }));
      const workstream = await ok(api.post(at('/workstreams'), { name: 'Workforce Group', objectives: 'Recruit', rag: 'amber', ragDate: '2025-11-03', ragComment: 'Slipping' }));
      const line = await ok(
        api.post(`/api/v1/grants/${grant.id}/commitments`, { title: 'Team', category: 'transformation', amount: '50000', decisionId: decision.id, workstreamId: workstream.id }),
      );
      const post = await ok(api.post(at('/posts'), { title: 'Attendance Lead', headcount: 3, annualCost: '60000', status: 'recruiting', commitmentId: line.id }));
      await ok(api.post(at(`/posts/${post.id}/split`), { headcount: 1, status: 'in_post', startDate: '2025-10-01' }));
      await ok(api.post(at('/secondments'), { partner: 'ICB', role: 'Nurse', annualCost: '40000', status: 'in_post', costShare: '0.5', commitmentId: line.id }));
      await ok(api.post(at('/risks'), { title: 'Recruitment', likelihood: 4, impact: 4 }));
      await ok(api.patch(at('/expectations/FH-01'), { status: 'met' }, { 'if-match': '"5e1f0e00-2027-4000-8000-000000000001.0"' }), 200);

      const reconciliation = await ok(api.get(`/api/v1/grants/${grant.id}/reconciliation`), 200);
      expect(reconciliation.lines[0]).toMatchObject({ fundedCost: '69972.60', result: 'over', flagged: true });
      const report = await ok(api.get(at('/programme-report?asOf=2025-12-01')), 200);
      expect(report.posts.roles[0].summary).toBe('Attendance Lead ×3: 1 in post from 1 October 2025, 2 recruiting');
      expect(report.workstreams[0]).toMatchObject({ rag: 'amber', commentary: 'Slipping' });
      expect(report.expectations.met).toBe(1);
      expect((await app.inject({ method: 'GET', url: at('/programme-report?format=docx'), headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    } finally {
      await close();
    }
  });
});
