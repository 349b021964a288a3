import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/tables.ts';
import { addDays, todayInLondon } from '../../src/shared/calendar.ts';
import { createGrant, createLine, type TestOrganisation } from '../support/factories.ts';
import { launchBrowser } from './support/browser.ts';
import { FormClient } from './support/forms.ts';
import { checkPage, errorSummary, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { organisationWithPeople, type Person } from './support/web-app.ts';

/** Presses Tab until `selector` has the focus, as someone without a mouse would; fails if it never does. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    if (await page.locator(selector).evaluate((element) => element === element.ownerDocument.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Types a date into a GOV.UK date input's three boxes. */
async function fillDate(page: Page, name: string, isoDate: string): Promise<void> {
  const [year, month, day] = isoDate.split('-');
  await page.fill(`#${name}-day`, String(Number(day)));
  await page.fill(`#${name}-month`, String(Number(month)));
  await page.fill(`#${name}-year`, year!);
}

const BODY = 'Families First Partnership Delivery Group';

describe('governance pages in the browser: a meeting, its decision and the expectations, into the programme report', () => {
  const suite = browserSuite('Governance Council');
  const today = todayInLondon(new Date());
  const heldOn = addDays(today, -14);
  const [heldYear, heldMonth, heldDay] = heldOn.split('-').map(Number);
  const base = () => `/organisations/${suite.organisation.id}/programme`;
  let decisionUrl = '';

  it('adds the delivery group, records its meeting by keyboard alone and refuses a date without a month', async () => {
    const { page } = suite.browser;
    await signIn(page, suite.people.programme_lead);
    await page.goto(base());
    await page.click('a:has-text("All governance bodies")');
    await page.click('a:has-text("Add a governance body")');
    await checkPage(page, 'add-governance-body');
    await page.fill('#name', BODY);
    await page.selectOption('#kind', 'delivery_group');
    await fillDate(page, 'termsAgreedOn', '2025-06-02');
    await page.click('button:has-text("Save governance body")');
    expect(await textOf(page.locator('[data-testid="records"]'))).toContain(BODY);
    await checkPage(page, 'governance-bodies');

    // The meeting form, by keyboard alone: Tab between the boxes, arrows in the select, Enter to save.
    await page.goto(base());
    await tabTo(page, 'a:has-text("Record a meeting")');
    await Promise.all([page.waitForURL(/\/meetings\/new$/), page.keyboard.press('Enter')]);
    await checkPage(page, 'add-meeting');
    await tabTo(page, '#governanceBodyId');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.type(String(heldDay));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type(String(heldYear));
    await page.keyboard.press('Tab');
    await page.keyboard.type('Delivery group');
    await tabTo(page, 'button:has-text("Save meeting")');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.govuk-error-summary');
    expect(await errorSummary(page)).toEqual(['Date of the meeting must include a month']);
    expect(await page.locator('#heldOn-month').getAttribute('class')).toContain('govuk-input--error');
    expect(await page.locator('#heldOn-day').getAttribute('class')).not.toContain('govuk-input--error');
    await checkPage(page, 'add-meeting-error');
    await tabTo(page, '#heldOn-month');
    await page.keyboard.type(String(heldMonth));
    await tabTo(page, 'button:has-text("Save meeting")');
    await Promise.all([page.waitForURL(/\/meetings\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
    expect(await textOf(page.locator('h1'))).toContain('Delivery group');
    await checkPage(page, 'meeting');
  });

  it('records the meeting’s decision, and the decision lists the line that cites it', async () => {
    const { page } = suite.browser;
    await page.click('a:has-text("Add a decision taken at this meeting")');
    await checkPage(page, 'add-decision');
    expect(await textOf(page.locator('#meetingId option:checked'))).toContain(BODY);
    await page.fill('#recommendation', '2');
    await page.fill('#text', 'Approve the Family Help navigator posts from the transformation budget');
    await page.fill('#delegatedTo', 'Director of Children’s Services');
    await page.click('button:has-text("Save decision")');
    await page.waitForURL(/\/decisions\/[0-9a-f-]{36}$/);
    decisionUrl = new URL(page.url()).pathname;
    const reference = await textOf(page.locator('h1'));
    expect(reference).toMatch(new RegExp(`^${BODY} \\d{1,2} \\w+ \\d{4}, recommendation 2$`));
    expect(await textOf(page.locator('main'))).toContain('No commitment line cites this decision yet');

    // Finance's line form names the decision record; the decision's page then lists the line.
    const grant = await createGrant(suite.organisation, [{ amount: '500000.00', description: 'Prevention Grant', status: 'confirmed' }], '2026-27');
    const line = await createLine(suite.organisation.as.finance, grant.id, { title: 'Family Help navigators', category: 'transformation', amount: '60000.00' });
    await page.goto(`/commitments/${line.id}/edit`);
    await page.selectOption('#decisionId', { label: reference });
    await page.click('button:has-text("Save line")');
    await page.waitForURL(`**/commitments/${line.id}`);
    await page.goto(decisionUrl);
    expect(await textOf(page.locator('[data-testid="approved-lines"]'))).toMatch(/2026-27\s+1\. Family Help navigators\s+Proposed\s+£60,000\.00/);
    await checkPage(page, 'decision');
    await page.click(`.govuk-summary-list a:has-text("${BODY}")`);
    expect(await textOf(page.locator('[data-testid="decisions"]'))).toContain('Approve the Family Help navigator posts');
  });

  it('updates three expectations with evidence, owner and target date, filters them, and shows the report’s count', async () => {
    const { page } = suite.browser;
    await page.goto(base());
    await page.click('a:has-text("Delivery expectations")');
    expect(await textOf(page.locator('[data-testid="progress"]'))).toContain('0 of 24 met; 0 in progress; 24 not started');
    await checkPage(page, 'expectations');

    const updates = [
      { code: 'FH-01', status: 'met', evidence: 'Lead practitioner model live in all localities', owner: 'Head of Family Help', dueBy: '2026-03-31' },
      { code: 'FH-02', status: 'in_progress', evidence: 'Threshold document out for consultation', owner: 'Safeguarding partnership', dueBy: '2027-01-31' },
      { code: 'CP-01', status: 'in_progress', evidence: 'Police and health leads named', owner: 'Service manager, child protection', dueBy: '2027-03-31' },
    ];
    for (const [index, update] of updates.entries()) {
      await page.click(`#expectation-${update.code} a:has-text("Update")`);
      if (index === 0) await checkPage(page, 'expectation-form');
      await page.check(`input[name="status"][value="${update.status}"]`);
      await page.fill('#evidence', update.evidence);
      await page.fill('#owner', update.owner);
      if (index === 0) {
        await fillDate(page, 'dueBy', '2026-02-31');
        await page.click('button:has-text("Save progress")');
        expect(await errorSummary(page)).toEqual(['Target date must be a real date']);
        expect(await page.inputValue('#evidence')).toBe(update.evidence);
        await checkPage(page, 'expectation-form-error');
      }
      await fillDate(page, 'dueBy', update.dueBy);
      await page.click('button:has-text("Save progress")');
      expect(await textOf(page.locator('.govuk-notification-banner'))).toContain(`${update.code} updated`);
    }
    expect(await textOf(page.locator('[data-testid="progress"]'))).toContain('1 of 24 met; 2 in progress; 21 not started');
    expect(await textOf(page.locator('#expectation-FH-02'))).toMatch(/In progress\s+Safeguarding partnership\s+31 January 2027\s+Threshold document out for consultation/);

    await page.selectOption('#status', 'in_progress');
    await page.click('button:has-text("Filter expectations")');
    expect(await page.locator('[data-testid="expectations"] tbody tr').allInnerTexts()).toEqual([expect.stringContaining('FH-02'), expect.stringContaining('CP-01')]);
    await page.selectOption('#area', { label: 'Multi-agency child protection' });
    await page.click('button:has-text("Filter expectations")');
    expect(await page.locator('[data-testid="expectations"] tbody tr').allInnerTexts()).toEqual([expect.stringContaining('CP-01')]);
    await checkPage(page, 'expectations-filtered');
  });

  it('shows the meeting, the decision with its line, and the expectations in the programme report', async () => {
    const { page } = suite.browser;
    await page.goto(base());
    expect(await textOf(page.locator('[data-testid="recent-decisions"]'))).toContain('recommendation 2: Approve the Family Help navigator posts');
    expect(await textOf(page.locator('[data-testid="expectation-progress"]'))).toContain('1 of 24 met; 2 in progress; 21 not started');
    await checkPage(page, 'programme-with-governance');

    const markdown = await page.request.get(`${base()}/report?format=md`);
    expect(markdown.status()).toBe(200);
    const text = await markdown.text();
    expect(text).toContain('## Meetings and decisions');
    expect(text).toContain(`| Delivery group |`);
    expect(text).toContain('Approve the Family Help navigator posts from the transformation budget');
    expect(text).toContain('2026-27 line 1 Family Help navigators (£60,000.00)');
    expect(text).toContain('1 of 24 met; 2 in progress; 21 not started.');
    expect(text).toContain('| FH-02 | Refreshed threshold document | In progress | Safeguarding partnership | 31 January 2027 | Threshold document out for consultation |');

    const json = (await suite.organisation.as.reader.get(`/api/v1/organisations/${suite.organisation.id}/programme-report`)).body;
    expect(json.governance.meetings).toEqual([expect.objectContaining({ governanceBody: BODY, heldOn, title: 'Delivery group', decisions: 1 })]);
    expect(json.governance.decisions).toEqual([
      expect.objectContaining({
        decidedOn: heldOn,
        delegatedTo: 'Director of Children’s Services',
        lines: [expect.objectContaining({ ref: '1', amount: '60000.00', financialYear: '2026-27' })],
      }),
    ]);
    expect(json.expectations.items.find((item: { code: string }) => item.code === 'FH-01')).toMatchObject({ status: 'met', owner: 'Head of Family Help', dueBy: '2026-03-31' });
  });

  it('works with JavaScript off: a meeting and an expectation saved by plain form posts', async () => {
    const browser = await launchBrowser(suite.web.baseURL, { javaScript: false });
    try {
      const { page } = browser;
      await signIn(page, suite.people.programme_lead);
      await page.goto(`${base()}/meetings/new`);
      await page.selectOption('#governanceBodyId', { label: BODY });
      await fillDate(page, 'heldOn', '2026-13-01');
      await page.click('button:has-text("Save meeting")');
      expect(await errorSummary(page)).toEqual(['Date of the meeting must be a real date']);
      await fillDate(page, 'heldOn', addDays(today, -7));
      await page.click('button:has-text("Save meeting")');
      await page.waitForURL(/\/meetings\/[0-9a-f-]{36}$/);
      await page.goto(`${base()}/expectations/FN-01/edit`);
      await page.check('input[name="status"][value="in_progress"]');
      await page.fill('#evidence', 'Family group decision making service commissioned');
      await page.click('button:has-text("Save progress")');
      expect(await textOf(page.locator('[data-testid="progress"]'))).toContain('1 of 24 met; 3 in progress; 20 not started');
    } finally {
      await browser.close();
    }
  });

  async function signedIn(person: Person): Promise<FormClient> {
    const client = new FormClient(suite.web.app);
    expect((await client.signIn(person)).statusCode).toBe(303);
    return client;
  }

  it('lets readers read, refuses them every form, answers another council’s records 404 and writes nothing', async () => {
    // A council of its own, so the first council's pages above are not disturbed.
    const mine: { organisation: TestOrganisation; people: Record<Role, Person> } = await organisationWithPeople(suite.web, 'Governance Rights Council');
    const other: { organisation: TestOrganisation; people: Record<Role, Person> } = await organisationWithPeople(suite.web, 'Governance Other Council');
    const org = mine.organisation;
    const body = (await org.as.programme_lead.post(`/api/v1/organisations/${org.id}/governance-bodies`, { name: 'Cabinet', kind: 'cabinet' })).body;
    const meeting = (await org.as.programme_lead.post(`/api/v1/organisations/${org.id}/meetings`, { governanceBodyId: body.id, heldOn: '2026-06-09' })).body;
    const decision = (await org.as.programme_lead.post(`/api/v1/organisations/${org.id}/decisions`, { meetingId: meeting.id, text: 'Approve the plan' })).body;
    const own = (await org.as.programme_lead.post(`/api/v1/organisations/${org.id}/expectations`, { code: 'LOCAL-01', title: 'Our own' })).body;
    const base = `/organisations/${org.id}/programme`;
    const reads = [
      `${base}/governance-bodies`,
      `${base}/meetings`,
      `${base}/meetings/${meeting.id}`,
      `${base}/decisions`,
      `${base}/decisions/${decision.id}`,
      `${base}/expectations`,
    ];
    const forms = [
      `${base}/governance-bodies/new`,
      `${base}/meetings/new`,
      `${base}/meetings/${meeting.id}/edit`,
      `${base}/decisions/${decision.id}/edit`,
      `${base}/expectations/FH-01/edit`,
    ];

    const reader = await signedIn(mine.people.reader);
    for (const url of reads) expect((await reader.get(url)).statusCode, url).toBe(200);
    expect((await reader.get(`${base}/expectations`)).body).not.toContain('/edit');
    for (const url of forms) expect((await reader.get(url)).statusCode, url).toBe(403);
    const readerPost = await reader.post(`${base}/expectations/FH-01/edit`, { status: 'met', version: '0' }, { from: `${base}/expectations` });
    expect(readerPost.statusCode).toBe(403);

    const lead = await signedIn(mine.people.programme_lead);
    const forged = await lead.post(`${base}/meetings/new`, { governanceBodyId: body.id, 'heldOn-day': '1', 'heldOn-month': '7', 'heldOn-year': '2026' }, { withToken: false });
    expect(forged.statusCode).toBe(403);
    const undated = await lead.post(`${base}/meetings/new`, { governanceBodyId: body.id, 'heldOn-day': '', 'heldOn-month': '', 'heldOn-year': '' });
    expect(undated.statusCode).toBe(400);
    expect(undated.body).toContain('href="#heldOn-day">Enter the date of the meeting</a>');
    const hostile = await lead.post(`${base}/meetings/${meeting.id}/edit`, {
      governanceBodyId: 'not-an-id',
      'heldOn-day': '\u0000',
      'heldOn-month': '99',
      'heldOn-year': '20266',
      version: '1',
    });
    expect(hostile.statusCode).toBe(400);
    expect(hostile.body).toContain('govuk-error-summary');

    const outsider = await signedIn(other.people.admin);
    for (const url of [
      ...reads.filter((url) => url.includes(meeting.id) || url.includes(decision.id)),
      `${base}/expectations/LOCAL-01/edit`,
      `${base}/expectations/${own.id}/edit`,
    ]) {
      expect((await outsider.get(url)).statusCode, url).toBe(404);
    }
    // Their own pages, addressed with our records' ids, find nothing either.
    const theirs = `/organisations/${other.organisation.id}/programme`;
    for (const url of [`${theirs}/meetings/${meeting.id}`, `${theirs}/decisions/${decision.id}/edit`, `${theirs}/expectations/${own.id}/edit`]) {
      expect((await outsider.get(url)).statusCode, url).toBe(404);
    }
    const crossPost = await outsider.post(`${theirs}/decisions/${decision.id}/edit`, { text: 'Hijacked', version: '1' }, { from: `${theirs}/decisions` });
    expect(crossPost.statusCode).toBe(404);
    // A meeting of ours chosen on their decision form is refused like an unknown one.
    const crossLink = await outsider.post(`${theirs}/decisions/new`, { meetingId: meeting.id, text: 'Borrowed meeting' });
    expect(crossLink.statusCode).toBe(400);
    expect(crossLink.body).toContain('Meeting is not a meeting of this organisation');

    const after = await org.as.reader.get(`/api/v1/organisations/${org.id}/decisions/${decision.id}`);
    expect(after.body).toMatchObject({ text: 'Approve the plan', version: 1 });
    expect((await org.as.reader.get(`/api/v1/organisations/${org.id}/meetings/${meeting.id}`)).body).toMatchObject({ heldOn: '2026-06-09', version: 1 });
    expect((await org.as.reader.get(`/api/v1/organisations/${org.id}/expectations/FH-01`)).body).toMatchObject({ status: 'not_started', version: 0 });
    expect((await other.organisation.as.reader.get(`/api/v1/organisations/${other.organisation.id}/decisions`)).body.items).toEqual([]);
  });
});
