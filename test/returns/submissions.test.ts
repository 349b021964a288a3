import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Api, startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/**
 * A quarter's DfE return prepared by one programme lead, signed off by another, kept byte for
 * byte while the records move on, and compared with them (src/returns/).
 */
describe('returns prepared, signed off and kept', () => {
  const clock = settableClock('2025-10-06T09:00:00Z');
  let testApp: TestApp;
  let council: TestOrganisation;
  let otherCouncil: TestOrganisation;
  let secondLead: Api;
  let grantId: string;
  let deliveryLine: string;
  let submission: { id: string; files: { format: string; sha256: string; bytes: number }[] };
  const downloaded = new Map<string, Buffer>();

  /** The raw bytes of a stored file (apiAs would decode them as text). */
  const download = async (id: string, format: string) => {
    const response = await testApp.app.inject({ method: 'GET', url: `/api/v1/submissions/${id}/files/${format}`, headers: { authorization: `Bearer ${leadToken}` } });
    expect(response.statusCode, response.body).toBe(200);
    return response.rawPayload;
  };
  let leadToken: string;

  const spend = async (line: string, amount: string, spentOn: string) => {
    const response = await council.as.finance.post(`/api/v1/commitments/${line}/spend`, { amount, spentOn, reference: `INV-${spentOn}` });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  };

  beforeAll(async () => {
    testApp = await startTestApp({ clock });
    council = await createOrganisation(testApp, 'Returning Council');
    otherCouncil = await createOrganisation(testApp, 'Other Council');
    const admin = apiAs(testApp.app, testApp.adminToken);
    const lead = await admin.post(`/api/v1/organisations/${council.id}/users`, {
      email: `lead2.${council.code.toLowerCase()}@example.gov.uk`,
      name: 'Second Lead',
      role: 'programme_lead',
    });
    expect(lead.status, JSON.stringify(lead.body)).toBe(201);
    const token = await admin.post(`/api/v1/users/${lead.body.id}/tokens`, { name: 'tests', organisationId: council.id });
    secondLead = apiAs(testApp.app, token.body.token);
    const firstLeadToken = await admin.post(`/api/v1/users/${council.userIds.programme_lead}/tokens`, { name: 'downloads', organisationId: council.id });
    leadToken = firstLeadToken.body.token;

    const grant = await createGrant(council, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }]);
    grantId = grant.id;
    const transformation = await createLine(council.as.finance, grantId, {
      title: 'Transformation team',
      category: 'transformation',
      amount: '20000.00',
      status: 'approved',
      committedOn: '2025-05-01',
    });
    const delivery = await createLine(council.as.finance, grantId, {
      title: 'Family help',
      category: 'family_help_delivery',
      amount: '30000.00',
      status: 'approved',
      committedOn: '2025-08-01',
    });
    deliveryLine = delivery.id;
    await spend(transformation.id, '5000.00', '2025-06-15'); // Q1
    await spend(transformation.id, '3000.00', '2025-08-10'); // Q2
    await spend(delivery.id, '4000.00', '2025-09-10'); // Q2
    await spend(delivery.id, '1000.00', '2025-10-02'); // Q3: not in the Q2 return
  });
  afterAll(() => testApp?.close());

  it('prepares Q2 from the records placed by their dates, in every format, each stored with its hash', async () => {
    const prepared = await council.as.programme_lead.post(`/api/v1/grants/${grantId}/submissions`, { return: 'dfe-quarterly', period: 'Q2' });
    expect(prepared.status, JSON.stringify(prepared.body)).toBe(201);
    expect(prepared.body).toMatchObject({ status: 'draft', preparedBy: council.userIds.programme_lead, period: 'Q2', financialYear: '2025-26', signedOffAt: null });
    expect(prepared.headers.location).toBe(`/api/v1/submissions/${prepared.body.id}`);
    submission = prepared.body;
    expect(submission.files.map((f) => f.format).sort()).toEqual(['csv', 'json', 'xlsx']);
    for (const file of submission.files) {
      const bytes = await download(submission.id, file.format);
      expect(bytes.length).toBe(file.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      downloaded.set(file.format, bytes);
    }
    const json = JSON.parse(downloaded.get('json')!.toString('utf8'));
    expect(json.quarter).toBe('Q2');
    const byHeading = Object.fromEntries(json.headings.map((h: { heading: string }) => [h.heading, h]));
    expect(byHeading.transformation).toMatchObject({ committed: '20000.00', spentInQuarter: '3000.00', spentToDate: '8000.00' });
    expect(byHeading.service_delivery).toMatchObject({ committed: '30000.00', spentInQuarter: '4000.00', spentToDate: '4000.00' });
    expect(json.total).toMatchObject({ committed: '50000.00', spentInQuarter: '7000.00', spentToDate: '12000.00' });
  });

  it('is signed off once, by a programme lead other than the one who prepared it', async () => {
    const byPreparer = await council.as.programme_lead.post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: 'I confirm these figures.' });
    expect(byPreparer.status).toBe(422);
    expect(byPreparer.body.type).toMatch(/\/problems\/invalid-state$/);
    const byFinance = await council.as.finance.post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: 'I confirm these figures.' });
    expect(byFinance.status).toBe(403);
    const empty = await secondLead.post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.map((e: { path: string }) => e.path)).toEqual(['statement']);
    const unknownField = await secondLead.post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: 'Fine.', signedBy: 'someone' });
    expect(unknownField.status).toBe(400);
    // A platform administrator passes every access rule, but is not one of the council's officers.
    const byPlatformAdmin = await apiAs(testApp.app, testApp.adminToken).post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: 'I confirm these figures.' });
    expect(byPlatformAdmin.status).toBe(422);
    expect(byPlatformAdmin.body.detail).toContain("council's programme leads or administrators");
    expect((await council.as.reader.get(`/api/v1/submissions/${submission.id}`)).body.status).toBe('draft');

    clock.set('2025-10-07T10:00:00Z');
    const signed = await secondLead.post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: 'I confirm these figures are a true record.' });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body).toMatchObject({ status: 'submitted', signedOffAt: '2025-10-07T10:00:00.000Z', statement: 'I confirm these figures are a true record.' });
    expect(signed.body.signedOffBy).not.toBe(council.userIds.programme_lead);
    expect(signed.body.checkpoint.signature).toEqual(expect.any(String));
    const again = await council.as.admin.post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: 'Again.' });
    expect(again.status).toBe(422);
    expect(again.body.type).toMatch(/\/problems\/invalid-state$/);
  });

  it('downloads byte-identical after a late September invoice, and changes shows its heading and amount', async () => {
    clock.set('2025-10-20T09:00:00Z');
    await spend(deliveryLine, '1234.56', '2025-09-29');
    for (const file of submission.files) expect(Buffer.compare(await download(submission.id, file.format), downloaded.get(file.format)!), file.format).toBe(0);
    const live = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/dfe-return?quarter=Q2`);
    expect(live.body.total.spentToDate).toBe('13234.56');

    const changes = await council.as.reader.get(`/api/v1/submissions/${submission.id}/changes`);
    expect(changes.status, JSON.stringify(changes.body)).toBe(200);
    expect(changes.body.items).toEqual([
      expect.objectContaining({
        heading: 'service_delivery',
        submitted: '4000.00',
        now: '5234.56',
        difference: '1234.56',
        spentInQuarter: { submitted: '4000.00', now: '5234.56', difference: '1234.56' },
        committed: { submitted: '30000.00', now: '30000.00', difference: '0.00' },
      }),
    ]);
  });

  it("puts the files' hashes in the audit chain, which still verifies", async () => {
    const trail = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=submission&entityId=${submission.id}`);
    const signOff = trail.body.items.find((r: { action: string }) => r.action === 'sign-off');
    expect(signOff.after.files).toEqual(submission.files.map(({ format, sha256, bytes }) => ({ format, sha256, bytes })));
    const verify = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checkpoints.checked).toBeGreaterThan(0);
    expect(verify.body.checkpoints.firstUnreachable).toBeUndefined();
  });

  it('keeps a submitted return and its files unchangeable in the database itself', async () => {
    const db = testApp.database.handle.db;
    await expect(sql`UPDATE submission_files SET content = '\\x00'::bytea, bytes = 1 WHERE submission_id = ${submission.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM submission_files WHERE submission_id = ${submission.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE submissions SET statement = 'Rewritten' WHERE id = ${submission.id}`.execute(db)).rejects.toThrow(/final/);
    await expect(sql`DELETE FROM submissions WHERE id = ${submission.id}`.execute(db)).rejects.toThrow(/final/);
  });

  it('refuses a resubmission that names nothing, or the wrong one, and takes one that names the submitted return', async () => {
    const count = async () => (await council.as.reader.get(`/api/v1/grants/${grantId}/submissions`)).body.items.length;
    const before = await count();
    const unnamed = await council.as.finance.post(`/api/v1/grants/${grantId}/submissions`, { return: 'dfe-quarterly', period: 'Q2' });
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.type).toMatch(/\/problems\/invalid-state$/);
    expect(unnamed.body.detail).toMatch(/replaces/);
    const wrong = await council.as.finance.post(`/api/v1/grants/${grantId}/submissions`, {
      return: 'dfe-quarterly',
      period: 'Q2',
      replaces: '6c9a1a2e-0000-4000-8000-000000000099',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toMatch(/replaces/);
    const nothingToReplace = await council.as.finance.post(`/api/v1/grants/${grantId}/submissions`, { return: 'dfe-quarterly', period: 'Q1', replaces: submission.id });
    expect(nothingToReplace.status).toBe(422);
    expect(await count()).toBe(before);

    const resubmission = await council.as.finance.post(`/api/v1/grants/${grantId}/submissions`, { return: 'dfe-quarterly', period: 'Q2', replaces: submission.id });
    expect(resubmission.status, JSON.stringify(resubmission.body)).toBe(201);
    expect(resubmission.body).toMatchObject({ status: 'draft', replaces: submission.id });
    const signed = await secondLead.post(`/api/v1/submissions/${resubmission.body.id}/sign-off`, { statement: 'Corrected for the late invoice.' });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect((await council.as.reader.get(`/api/v1/submissions/${resubmission.body.id}/changes`)).body.items).toEqual([]);
  });

  it('refuses bad input with a 4xx naming the field, and a period not yet ended, changing nothing', async () => {
    const count = async () => (await council.as.reader.get(`/api/v1/grants/${grantId}/submissions`)).body.items.length;
    const before = await count();
    const cases: [unknown, number, string][] = [
      [{ return: 'dfe-quarterly', period: 'Q5' }, 400, 'period'],
      [{ return: 'transparency', period: 'Q1' }, 400, 'return'],
      [{ period: 'Q1' }, 400, 'return'],
      [{ return: 'dfe-quarterly', period: 'Q1', replaces: 'not-an-id' }, 400, 'replaces'],
      [{ return: 'dfe-quarterly', period: 'Q1', note: 'x' }, 400, ''],
    ];
    for (const [body, status, path] of cases) {
      const response = await council.as.finance.post(`/api/v1/grants/${grantId}/submissions`, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      if (path) expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const notEnded = await council.as.finance.post(`/api/v1/grants/${grantId}/submissions`, { return: 'dfe-quarterly', period: 'Q3' });
    expect(notEnded.status).toBe(422);
    expect(notEnded.body.type).toMatch(/\/problems\/invalid-state$/);
    expect(notEnded.body.detail).toMatch(/period/);
    expect(await count()).toBe(before);
    const unknownFormat = await council.as.reader.get(`/api/v1/submissions/${submission.id}/files/docx`);
    expect(unknownFormat.status).toBe(404);
  });

  it("answers another council's members 404 on every submission route", async () => {
    for (const role of ['reader', 'finance', 'programme_lead', 'admin'] as const) {
      const api = otherCouncil.as[role];
      expect((await api.get(`/api/v1/submissions/${submission.id}`)).status).toBe(404);
      expect((await api.get(`/api/v1/submissions/${submission.id}/files/json`)).status).toBe(404);
      expect((await api.get(`/api/v1/submissions/${submission.id}/changes`)).status).toBe(404);
      expect((await api.post(`/api/v1/submissions/${submission.id}/sign-off`, { statement: 'Mine now.' })).status).toBe(404);
      expect((await api.post(`/api/v1/grants/${grantId}/submissions`, { return: 'dfe-quarterly', period: 'Q1' })).status).toBe(404);
      expect((await api.get(`/api/v1/organisations/${council.id}/returns`)).status).toBe(404);
    }
  });

  it('lists the returns due with their status, and the same as iCalendar', async () => {
    const list = await council.as.reader.get(`/api/v1/organisations/${council.id}/returns?from=2025-07-01&to=2025-11-30`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items).toEqual([
      { return: 'transparency', financialYear: '2025-26', period: 'Q1', dueOn: '2025-07-30', status: 'overdue' },
      { return: 'dfe-quarterly', grantId, financialYear: '2025-26', period: 'Q1', dueOn: '2025-07-31', status: 'overdue' },
      { return: 'transparency', financialYear: '2025-26', period: 'Q2', dueOn: '2025-10-30', status: 'due' },
      { return: 'dfe-quarterly', grantId, financialYear: '2025-26', period: 'Q2', dueOn: '2025-10-31', status: 'submitted', submissionId: expect.any(String) },
    ]);
    const badRange = await council.as.reader.get(`/api/v1/organisations/${council.id}/returns?from=2025-12-01&to=2025-11-30`);
    expect(badRange.status).toBe(400);
    expect(badRange.body.errors.map((e: { path: string }) => e.path)).toContain('to');

    const ics = await testApp.app.inject({
      method: 'GET',
      url: `/api/v1/organisations/${council.id}/returns.ics?from=2025-07-01&to=2025-11-30`,
      headers: { authorization: `Bearer ${leadToken}` },
    });
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    const lines = ics.body.split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-2)).toBe('END:VCALENDAR');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(4);
    expect(lines).toContain('DTSTART;VALUE=DATE:20251031');
    expect(lines.every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(ics.body.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });
});
