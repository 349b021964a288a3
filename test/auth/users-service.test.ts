import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { FormClient } from '../web/support/forms.ts';
import { withPassword } from '../web/support/web-app.ts';

/** The API and the pages write users, memberships and tokens through one service: one trail. */
describe('one users service for both doors', () => {
  let testApp: TestApp;
  let apiCouncil: TestOrganisation;
  let webCouncil: TestOrganisation;
  let webAdmin: FormClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    apiCouncil = await createOrganisation(testApp, 'API Door Council');
    webCouncil = await createOrganisation(testApp, 'Web Door Council');
    webAdmin = new FormClient(testApp.app);
    expect((await webAdmin.signIn(await withPassword(testApp, webCouncil, 'admin'))).statusCode).toBe(303);
  });
  afterAll(() => testApp?.close());

  async function trail(organisationId: string, entity: string, entityId: string) {
    const rows = await testApp.database.handle.db
      .selectFrom('audit_records')
      .select(['action', 'entity', 'entity_id', 'before', 'after'])
      .where('organisation_id', '=', organisationId)
      .where('entity', '=', entity)
      .where('entity_id', '=', entityId)
      .orderBy('seq')
      .execute();
    return rows.map(({ action, entity, before, after }) => ({ action, entity, before, after }));
  }

  async function addThroughPage(member: { email: string; name: string; role: string }): Promise<string> {
    const added = await webAdmin.post(`/organisations/${webCouncil.id}/admin/members`, member, { from: `/organisations/${webCouncil.id}/admin` });
    expect(added.statusCode, added.body.slice(0, 300)).toBe(303);
    return /\/admin\/members\/([0-9a-f-]{36})$/.exec(String(added.headers.location))![1]!;
  }

  it('records adding a member the same way through the API and through the page', async () => {
    const viaApi = await apiCouncil.as.admin.post(`/api/v1/organisations/${apiCouncil.id}/users`, { email: 'api.door@example.gov.uk', name: 'API Door', role: 'finance' });
    expect(viaApi.status).toBe(201);
    const viaPageId = await addThroughPage({ email: 'web.door@example.gov.uk', name: 'Web Door', role: 'finance' });

    const apiTrail = await trail(apiCouncil.id, 'membership', viaApi.body.id);
    expect(apiTrail).toEqual([{ action: 'create', entity: 'membership', before: null, after: { role: 'finance' } }]);
    expect(await trail(webCouncil.id, 'membership', viaPageId)).toEqual(apiTrail);

    // A second add of the same person changes their role: an update, alike through both doors.
    expect((await apiCouncil.as.admin.post(`/api/v1/organisations/${apiCouncil.id}/users`, { email: 'api.door@example.gov.uk', name: 'API Door', role: 'reader' })).status).toBe(
      201,
    );
    await addThroughPage({ email: 'web.door@example.gov.uk', name: 'Web Door', role: 'reader' });
    const apiUpdate = (await trail(apiCouncil.id, 'membership', viaApi.body.id))[1];
    expect(apiUpdate).toEqual({ action: 'update', entity: 'membership', before: { role: 'finance' }, after: { role: 'reader' } });
    expect((await trail(webCouncil.id, 'membership', viaPageId))[1]).toEqual(apiUpdate);
  });

  it('records issuing and revoking a token the same way through the API and through the page', async () => {
    const apiUserId = apiCouncil.userIds.reader;
    const webUserId = webCouncil.userIds.reader;
    const issued = await apiCouncil.as.admin.post(`/api/v1/users/${apiUserId}/tokens`, { name: 'laptop', organisationId: apiCouncil.id });
    expect(issued.status).toBe(201);
    expect((await apiCouncil.as.admin.post(`/api/v1/users/${apiUserId}/tokens/${issued.body.id}/revoke`)).status).toBe(204);

    const memberPage = `/organisations/${webCouncil.id}/admin/members/${webUserId}`;
    expect((await webAdmin.post(`${memberPage}/tokens`, { name: 'laptop' }, { from: memberPage })).statusCode).toBe(200);
    const [webToken] = await testApp.database.handle.db.selectFrom('api_tokens').select('id').where('user_id', '=', webUserId).where('name', '=', 'laptop').execute();
    expect((await webAdmin.post(`${memberPage}/tokens/${webToken!.id}/revoke`, {}, { from: memberPage })).statusCode).toBe(303);

    // Only the moment of revocation differs between the two.
    const withoutMoment = (records: Awaited<ReturnType<typeof trail>>) =>
      records.map((record) => ({ ...record, after: { ...(record.after as object), revokedAt: typeof (record.after as { revokedAt?: unknown }).revokedAt } }));
    const apiTrail = await trail(apiCouncil.id, 'api-token', issued.body.id);
    expect(apiTrail.map((record) => record.action)).toEqual(['issue', 'revoke']);
    expect(apiTrail[0]!.after).toEqual({ name: 'laptop', expiresAt: null, userId: apiUserId });
    expect(apiTrail[1]!.before).toMatchObject({ revokedAt: null });
    const webTrail = await trail(webCouncil.id, 'api-token', webToken!.id);
    const sameUser = (records: Awaited<ReturnType<typeof trail>>, userId: string) => JSON.parse(JSON.stringify(withoutMoment(records)).replaceAll(userId, '<user>'));
    expect(sameUser(webTrail, webUserId)).toEqual(sameUser(apiTrail, apiUserId));
  });
});
