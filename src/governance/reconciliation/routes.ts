import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf } from '../../auth/access.ts';

import { formatMoney, formatMoneyOrNull, formatShare, moneyOutput, shareOutput } from '../../shared/money.ts';
import { type Reconciliation, reconcileGrant } from './service.ts';

const RESULTS = ['agrees', 'over', 'under', 'tbc', 'withdrawn', 'no_staff'] as const;

const reconciliationSchema = z
  .object({
    grantId: z.uuid(),
    financialYear: z.string(),
    period: z.object({ from: z.iso.date(), to: z.iso.date(), days: z.number().int() }),
    method: z.string(),
    tolerance: moneyOutput,
    fundedCost: moneyOutput,
    flaggedLines: z.number().int(),
    lines: z.array(
      z.object({
        commitmentId: z.uuid(),
        ref: z.string(),
        title: z.string(),
        category: z.string(),
        status: z.string(),
        amount: moneyOutput.nullable().meta({ description: 'What the line holds; null while tbc.' }),
        fundedCost: moneyOutput.meta({ description: 'What its posts and secondments cost in the financial year.' }),
        difference: moneyOutput.nullable().meta({ description: 'amount − fundedCost: negative when the staff cost more than the line holds.' }),
        result: z.enum(RESULTS).meta({
          description:
            'agrees; over (the staff cost more than the line holds); under (the line holds more); tbc (no amount yet); withdrawn (a withdrawn line still funds someone); no_staff (funds no post or secondment: not compared).',
        }),
        flagged: z.boolean(),
        items: z.array(
          z.object({
            kind: z.enum(['post', 'secondment']),
            id: z.uuid(),
            title: z.string(),
            status: z.string(),
            headcount: z.number().int().nullable(),
            annualCost: moneyOutput,
            costShare: shareOutput,
            counted: z.boolean(),
            from: z.iso.date().nullable(),
            to: z.iso.date().nullable(),
            days: z.number().int(),
            cost: moneyOutput,
            notes: z.array(z.string()),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'Reconciliation' });

const METHOD =
  "Each post's and secondment's annual cost (a post record's cost covers its whole headcount; a secondment's is multiplied by this council's cost share) × the days it runs within the financial year ÷ the days in that year, rounded half-up to the penny, summed per line and compared with the line's amount. Unfilled posts and unsuccessful secondments are not counted; a missing start or end date counts from the start or to the end of the year.";

function presentReconciliation(reconciliation: Reconciliation): z.output<typeof reconciliationSchema> {
  return {
    grantId: reconciliation.grantId,
    financialYear: reconciliation.financialYear,
    period: { from: reconciliation.period.firstDay, to: reconciliation.period.lastDay, days: reconciliation.period.days },
    method: METHOD,
    tolerance: '0.00',
    fundedCost: formatMoney(reconciliation.fundedCost),
    flaggedLines: reconciliation.flaggedLines,
    lines: reconciliation.lines.map(({ line, items, fundedCost, difference, result, flagged }) => ({
      commitmentId: line.id,
      ref: line.ref,
      title: line.title,
      category: line.category,
      status: line.status,
      amount: formatMoneyOrNull(line.amount),
      fundedCost: formatMoney(fundedCost),
      difference: formatMoneyOrNull(difference),
      result,
      flagged,
      items: items.map((item) => ({
        ...item,
        annualCost: formatMoney(item.annualCost),
        costShare: formatShare(item.costShare),
        cost: formatMoney(item.cost),
        notes: [...item.notes],
      })),
    })),
  };
}

export const reconciliationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/grants/:grantId/reconciliation',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['governance'],
        operationId: 'getReconciliation',
        summary: "Each line's posts and secondments, pro-rated to the financial year, against its amount; disagreements flagged",
        params: z.object({ grantId: z.uuid() }),
        response: { 200: reconciliationSchema },
      },
    },
    async (request) => presentReconciliation(await reconcileGrant(app.db, accessOf(request).organisationId, request.params.grantId)),
  );
};
