import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Commitment } from '../../commitments/repository.ts';
import { financialYearOf, longDate, quarterMonths, quarterOf } from '../../shared/calendar.ts';
import { formatPounds } from '../../shared/money.ts';
import { recordSpendBody } from '../../spend/schemas.ts';
import { recordSpend } from '../../spend/service.ts';
import { page, pageActorOf, seeOther, setFlash } from '../access.ts';
import { readDates } from '../dates.ts';
import { amountField, type FieldLabels, type FormErrors, formValues, problemToFormErrors, validateForm } from '../forms.ts';
import { renderPage } from '../render.ts';
import { lineOrNotFound } from './lookup.ts';

type LineParams = { Params: { id: string } };

const SPEND_LABELS: FieldLabels = {
  amount: 'Amount',
  spentOn: 'Date spent',
  reference: 'Transaction number',
  description: 'Description',
  supplier: 'Supplier',
  expenseArea: 'Expense area',
  irrecoverableVat: 'Irrecoverable VAT',
  merchantCategory: 'Merchant category',
  kind: 'Kind of payment',
  supplierId: 'Supplier ID',
  expenditureCode: 'Expenditure code',
};

const SPENT_ON = [{ name: 'spentOn', label: SPEND_LABELS.spentOn!, required: true }];
const spentOn = (values: Record<string, string>): string | undefined => readDates(values, SPENT_ON).dates.spentOn;

/** Which quarter a date falls in, told against the line's grant year; quarterOf is the one rule. */
function quarterMessage(line: Pick<Commitment, 'financialYear'>, date: string | undefined): string {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) return '';
  const year = financialYearOf(date);
  const quarter = quarterOf(date);
  const text = `${longDate(date)} is in ${year} ${quarter} (${quarterMonths(quarter)})`;
  return year === line.financialYear ? `${text}.` : `${text}, outside this grant's year ${line.financialYear}.`;
}

function spendBody(values: Record<string, string>) {
  return {
    amount: amountField(values.amount, { tbc: false }),
    spentOn: spentOn(values),
    reference: values.reference,
    description: values.description,
    supplier: values.supplier,
    expenseArea: values.expenseArea,
    irrecoverableVat: amountField(values.irrecoverableVat, { tbc: false }),
    merchantCategory: values.merchantCategory,
    paidToIndividual: values.paidToIndividual === 'yes',
    // A form without a choice is a supplier payment, as in the API.
    kind: values.kind || undefined,
    supplierId: values.supplierId,
    expenditureCode: values.expenditureCode,
    cardTransaction: values.cardTransaction === 'yes',
  };
}

function showForm(request: FastifyRequest, reply: FastifyReply, line: Commitment, values: Record<string, string>, errors?: FormErrors, status = 200) {
  return renderPage(request, reply, 'spend-form', { line, values, errors, quarter: quarterMessage(line, spentOn(values)) }, status);
}

export async function spendPages(app: FastifyInstance): Promise<void> {
  app.get<LineParams>('/commitments/:id/spend/new', { config: { page: page.member('commitment', 'id', 'finance') } }, async (request, reply) =>
    showForm(request, reply, await lineOrNotFound(app, request, request.params.id), {}),
  );

  app.post<LineParams>('/commitments/:id/spend/new', { config: { page: page.member('commitment', 'id', 'finance') } }, async (request, reply) => {
    const line = await lineOrNotFound(app, request, request.params.id);
    const values = formValues(request.body);
    const parsed = validateForm(recordSpendBody, spendBody(values), SPEND_LABELS, {}, readDates(values, SPENT_ON).errors);
    if (!parsed.ok) return showForm(request, reply, line, values, parsed.errors, 400);
    try {
      const entry = await recordSpend(app.db, pageActorOf(request), line.id, parsed.value);
      setFlash(request, `Spend of ${formatPounds(entry.amount)} recorded`, quarterMessage(line, entry.spentOn));
      return seeOther(reply, `/commitments/${line.id}`);
    } catch (error) {
      const errors = problemToFormErrors(error, SPEND_LABELS, 'amount');
      if (!errors) throw error;
      return showForm(request, reply, line, values, errors, 422);
    }
  });

  /** For the form's script: the quarter of a date as it is typed (progressive enhancement). */
  app.get<LineParams & { Querystring: { date?: string } }>('/commitments/:id/quarter', { config: { page: page.member('commitment', 'id', 'reader') } }, async (request) => ({
    text: quarterMessage(await lineOrNotFound(app, request, request.params.id), request.query.date),
  }));
}
