import type { FastifyInstance } from 'fastify';
import { forecastGrant, setLineProfile } from '../../forecasts/service.ts';
import { monthLabel, profileView, SHORT_LABEL, SOURCE_TEXT } from './profile-grid.ts';
import { longDate, monthsOfFinancialYear, todayInLondon } from '../../shared/calendar.ts';
import { type Decimal, moneyInput, ZERO } from '../../shared/money.ts';
import { page, pageAccessOf, pageActorOf, pageAllows, seeOther, setFlash } from '../access.ts';
import { amountField, type FormErrors, formValues, problemToFormErrors } from '../forms.ts';
import { renderPage } from '../render.ts';
import { forecastChart } from '../grants/charts.ts';
import { findOrganisation } from '../grants/repository.ts';
import { lineOrNotFound } from '../commitments/lookup.ts';

type LineParams = { Params: { id: string } };
type GrantParams = { Params: { grantId: string } };

/** Each non-empty box as a month of the profile; the money rule is the API's (moneyInput). */
function readGrid(months: readonly string[], values: Record<string, string>): { months: { month: string; amount: Decimal }[]; errors: FormErrors | null } {
  const entered: { month: string; amount: Decimal }[] = [];
  const errors: FormErrors = { list: [], fields: {} };
  for (const month of months) {
    const id = `month-${month}`;
    const typed = amountField(values[id], { tbc: false });
    if (typed === undefined || typed === null) continue;
    const parsed = moneyInput.safeParse(typed);
    if (!parsed.success) {
      const text = `${monthLabel(month)} ${parsed.error.issues[0]?.message ?? 'must be an amount in pounds'}`;
      errors.list.push({ text, href: `#${id}` });
      errors.fields[id] = { text };
    } else entered.push({ month, amount: parsed.data });
  }
  return { months: entered, errors: errors.list.length > 0 ? errors : null };
}

export async function forecastPages(app: FastifyInstance): Promise<void> {
  app.post<LineParams>('/commitments/:id/profile', { config: { page: page.member('commitment', 'id', 'finance') } }, async (request, reply) => {
    const line = await lineOrNotFound(app, request, request.params.id);
    const values = formValues(request.body);
    const grid = readGrid(monthsOfFinancialYear(line.financialYear), values);
    const again = async (errors: FormErrors, status: number) => {
      const { organisationId } = pageAccessOf(request);
      return renderPage(request, reply, 'profile-form', { line, profile: await profileView(app, organisationId, line.id, pageActorOf(request).today, values), errors }, status);
    };
    if (grid.errors) return again(grid.errors, 400);
    try {
      await setLineProfile(app.db, pageActorOf(request), line.id, grid.months);
    } catch (error) {
      const errors = problemToFormErrors(error, {}, 'amount');
      if (!errors) throw error;
      return again(errors, 422);
    }
    setFlash(request, `Profile for line ${line.ref} saved`, grid.months.length === 0 ? 'No month entered: the profile comes from the posts, or an even spread.' : undefined);
    return seeOther(reply, `/commitments/${line.id}#profile`);
  });

  app.get<GrantParams>('/grants/:grantId/forecast', { config: { page: page.member('grant', 'grantId', 'reader') } }, async (request, reply) => {
    const { organisationId } = pageAccessOf(request);
    const today = todayInLondon(app.clock.now());
    const [{ grant, forecast }, organisation] = await Promise.all([
      forecastGrant(app.db, organisationId, request.params.grantId, { today }),
      findOrganisation(app.db, organisationId),
    ]);
    let running = ZERO;
    const months = forecast.months.map((m) => {
      running = running.plus(m.actual).plus(m.forecast);
      return { ...m, label: monthLabel(m.month), shortLabel: monthLabel(m.month, SHORT_LABEL), toDate: running };
    });
    return renderPage(request, reply, 'forecast', {
      organisation,
      grant,
      forecast,
      onText: longDate(forecast.on),
      months,
      chart: await forecastChart(
        months.map((m) => ({ label: m.shortLabel, actual: m.actual, forecast: m.forecast, toDate: m.toDate })),
        forecast.allocation,
      ),
      lines: forecast.lines.map((l) => ({
        id: l.id,
        ref: l.ref,
        title: l.title,
        actualToDate: l.actualToDate,
        forecastOutturn: l.forecastOutturn,
        sourceText: SOURCE_TEXT[l.source],
      })),
      canWrite: pageAllows(request, 'finance'),
    });
  });
}
