import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TRANCHES } from '../../src/demo/worked-example.ts';

describe('the worked example (docs/domain.md) entered through the API', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Example Metropolitan Borough Council');
    const grant = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, {
      scheme: 'csc-prevention',
      financialYear: '2025-26',
      tranches: [WORKED_EXAMPLE_TRANCHES[0]],
    });
    expect(grant.status).toBe(201);
    grantId = grant.body.id;
    const second = await council.as.finance.post(`/api/v1/grants/${grantId}/tranches`, WORKED_EXAMPLE_TRANCHES[1]);
    expect(second.status).toBe(201);
    expect(second.body.allocation).toBe('2210000.00');
    for (const line of WORKED_EXAMPLE_LINES) {
      const { ref: _ref, ...withoutRef } = line;
      // Lines are entered without refs: the next line number is the default.
      const created = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { ...withoutRef, status: 'approved' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.ref).toBe(line.ref);
    }
  });
  afterAll(() => testApp?.close());

  it('totals the allocation from both tranches', async () => {
    const grant = await council.as.reader.get(`/api/v1/grants/${grantId}`);
    expect(grant.status).toBe(200);
    expect(grant.body.allocation).toBe('2210000.00');
    expect(grant.body.confirmedAllocation).toBe('2210000.00');
    expect(grant.body.tranches.map((t: { determinationRef: string }) => t.determinationRef)).toEqual(['31/7833', '31/7969']);
  });

  it('reproduces the subtotals, total, balance, transformation share and tbc count', async () => {
    const summary = await council.as.reader.get(`/api/v1/grants/${grantId}/summary`);
    expect(summary.status).toBe(200);
    const body = summary.body;
    expect(body.allocation).toBe('2210000.00');
    expect(body.committed).toBe('1619758.00');
    expect(body.uncommitted).toBe('590242.00');
    expect(body.spent).toBe('0.00');
    expect(body.tbcLines).toBe(1);
    expect(body.lines).toBe(14);
    const headings = Object.fromEntries(body.headings.map((h: { heading: string; committed: string }) => [h.heading, h.committed]));
    expect(headings).toEqual({ transformation: '485677.00', service_delivery: '1093154.00', service_design: '40927.00' });
    const transformation = body.categories.find((c: { code: string }) => c.code === 'transformation');
    expect(transformation).toMatchObject({
      committed: '485677.00',
      share: '0.2198',
      maxShare: '0.3000',
      // 30% of the £2,083,000 Prevention Grant plus the whole £127,000 earmarked by 31/7969.
      earmarked: '127000.00',
      cap: '751900.00',
      headroom: '266223.00',
      plannedShare: '0.3000',
      planned: '751900.00',
    });
    expect(body.base).toBe('2083000.00');
    const ict = body.categories.find((c: { code: string }) => c.code === 'practice_workforce_ict');
    expect(ict).toMatchObject({ committed: '0.00', tbcLines: 1, lines: 1, cap: null, headroom: null, maxShare: null });
    const transformationHeading = body.headings.find((h: { heading: string }) => h.heading === 'transformation');
    expect(transformationHeading).toMatchObject({ label: 'Transformation activity', share: '0.2198' });
  });

  it('lists the lines in order, with the tbc line shown as a null amount', async () => {
    const list = await council.as.reader.get(`/api/v1/grants/${grantId}/commitments`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((l: { ref: string }) => l.ref)).toEqual(WORKED_EXAMPLE_LINES.map((l) => l.ref));
    const ict = list.body.items[11];
    expect(ict).toMatchObject({ ref: '12', amount: null, category: 'practice_workforce_ict', heading: 'service_delivery', spent: '0.00' });
    expect(list.body.items[2]).toMatchObject({ amount: '85772.00', heading: 'service_delivery' });
    const filtered = await council.as.reader.get(`/api/v1/grants/${grantId}/commitments?category=family_voice`);
    expect(filtered.body.items.map((l: { ref: string }) => l.ref)).toEqual(['13', '14']);
  });
});
