import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createGrant, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { FormClient } from './support/forms.ts';
import { withPassword } from './support/web-app.ts';

// British Summer Time began on 29 March 2026, so London is an hour ahead of UTC here.
const LONDON_LATE_ON_31_MARCH = '2026-03-31T22:30:00Z';
const LONDON_EARLY_ON_1_APRIL = '2026-03-31T23:30:00Z';

/** One app, never restarted, while its clock passes midnight at the end of a financial year. */
describe('today comes from the clock on every request', () => {
  const clock = settableClock(LONDON_LATE_ON_31_MARCH);
  let testApp: TestApp;
  let council: TestOrganisation;
  let finance: FormClient;

  beforeAll(async () => {
    testApp = await startTestApp({ clock });
    council = await createOrganisation(testApp, 'Clock Council');
    finance = new FormClient(testApp.app);
    expect((await finance.signIn(await withPassword(testApp, council, 'finance'))).statusCode).toBe(303);
  });
  afterAll(() => testApp?.close());

  const offeredYear = async () => {
    const page = await finance.get(`/organisations/${council.id}/grants/new`);
    expect(page.statusCode).toBe(200);
    return /id="financialYear" name="financialYear" type="text" value="([^"]*)"/.exec(page.body)?.[1];
  };

  it('offers the new financial year on the grant form from midnight on 1 April in London', async () => {
    clock.set(LONDON_LATE_ON_31_MARCH);
    expect(await offeredYear()).toBe('2025-26');
    clock.set(LONDON_EARLY_ON_1_APRIL);
    expect(await offeredYear()).toBe('2026-27');
    clock.set('2026-04-01T00:30:00Z');
    expect(await offeredYear()).toBe('2026-27');
  });

  it("selects today's quarter on the reports page of the year it falls in", async () => {
    const grant = await createGrant(council, undefined, '2025-26');
    const selected = async () => {
      const page = await finance.get(`/grants/${grant.id}/reports`);
      expect(page.statusCode).toBe(200);
      return /<option value="(Q\d)" selected>([^<]*)</.exec(page.body)?.slice(1, 3) ?? null;
    };
    clock.set(LONDON_LATE_ON_31_MARCH);
    expect(await selected()).toEqual(['Q4', 'Q4 (January to March 2026)']);
    clock.set(LONDON_EARLY_ON_1_APRIL);
    expect(await selected()).toBeNull();
  });

  it("dates a risk assessed without a date on the UK's day by the clock", async () => {
    const assessedOn = async () => {
      const created = await council.as.programme_lead.post(`/api/v1/organisations/${council.id}/risks`, {
        title: `Risk at ${clock.now().toISOString()}`,
        likelihood: 2,
        impact: 3,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.assessedOn;
    };
    clock.set(LONDON_LATE_ON_31_MARCH);
    expect(await assessedOn()).toBe('2026-03-31');
    clock.set(LONDON_EARLY_ON_1_APRIL);
    expect(await assessedOn()).toBe('2026-04-01');
  });
});
