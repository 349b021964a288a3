import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf } from '../auth/access.ts';

import { type Decimal, formatMoney, formatMoneyOrNull, formatShare, moneyOutput, shareOutput } from '../shared/money.ts';
import { WARNING_CODES } from '../conditions/warnings.ts';
import { asAtParameter, resolveAsAt } from '../figures/as-at.ts';
import { type GrantSummary, summariseGrant } from './service.ts';

const formatShareOrNull = (share: Decimal | null) => (share === null ? null : formatShare(share));

export const summarySchema = z
  .object({
    grantId: z.uuid(),
    financialYear: z.string(),
    asAt: z.iso.date().nullable().meta({ description: 'The day these figures stood at the end of; null for the current position.' }),
    allocation: moneyOutput.meta({ description: 'Every tranche not withdrawn, provisional ones included.' }),
    confirmedAllocation: moneyOutput,
    base: moneyOutput.meta({ description: 'The base tranches: caps and planned shares are shares of this.' }),
    committed: moneyOutput,
    overCommitted: moneyOutput.meta({ description: 'How far commitments run past the allocation; "0.00" within it.' }),
    spent: moneyOutput,
    uncommitted: moneyOutput,
    lines: z.number().int(),
    tbcLines: z.number().int(),
    categories: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        heading: z.string(),
        plannedShare: shareOutput,
        earmarked: moneyOutput.meta({ description: 'Tranches earmarked to this category, added whole to its plan and cap.' }),
        planned: moneyOutput.meta({ description: 'plannedShare × base, to the penny, plus what is earmarked.' }),
        committed: moneyOutput,
        spent: moneyOutput,
        exposure: moneyOutput,
        share: shareOutput.nullable().meta({ description: 'committed / allocation; null while nothing is allocated.' }),
        fromPlan: moneyOutput.meta({ description: 'committed − planned: how far the category is from its planned share.' }),
        maxShare: shareOutput.nullable(),
        cap: moneyOutput.nullable().meta({ description: 'maxShare × base rounded down to the penny, plus what is earmarked; null without a cap.' }),
        headroom: moneyOutput.nullable().meta({ description: 'cap − Σ max(amount, spent) over the live lines.' }),
        lines: z.number().int(),
        tbcLines: z.number().int(),
      }),
    ),
    headings: z.array(z.object({ heading: z.string(), label: z.string(), committed: moneyOutput, spent: moneyOutput, share: shareOutput.nullable() })),
    warnings: z.array(
      z.object({
        code: z.enum(WARNING_CODES),
        message: z.string(),
        category: z.string().optional(),
        commitmentId: z.uuid().optional(),
      }),
    ),
  })
  .meta({ id: 'GrantSummary' });

export function presentSummary(summary: GrantSummary): z.infer<typeof summarySchema> {
  return {
    grantId: summary.grant.id,
    financialYear: summary.grant.financialYear,
    asAt: summary.asAt?.date ?? null,
    allocation: formatMoney(summary.allocation),
    confirmedAllocation: formatMoney(summary.confirmedAllocation),
    base: formatMoney(summary.base),
    committed: formatMoney(summary.committed),
    overCommitted: formatMoney(summary.overCommitted),
    spent: formatMoney(summary.spent),
    uncommitted: formatMoney(summary.uncommitted),
    lines: summary.lines,
    tbcLines: summary.tbcLines,
    categories: summary.categories.map((c) => ({
      code: c.code,
      name: c.name,
      heading: c.heading,
      plannedShare: formatShare(c.plannedShare),
      earmarked: formatMoney(c.earmarked),
      planned: formatMoney(c.planned),
      committed: formatMoney(c.committed),
      spent: formatMoney(c.spent),
      exposure: formatMoney(c.exposure),
      share: formatShareOrNull(c.share),
      fromPlan: formatMoney(c.committed.minus(c.planned)),
      maxShare: formatShareOrNull(c.maxShare),
      cap: formatMoneyOrNull(c.cap),
      headroom: formatMoneyOrNull(c.headroom),
      lines: c.lines,
      tbcLines: c.tbcLines,
    })),
    headings: summary.headings.map((h) => ({
      heading: h.heading,
      label: h.label,
      committed: formatMoney(h.committed),
      spent: formatMoney(h.spent),
      share: formatShareOrNull(h.share),
    })),
    warnings: summary.warnings.map((w) => ({ ...w })),
  };
}

export const summaryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/grants/:grantId/summary',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['grants'],
        operationId: 'getGrantSummary',
        summary: 'Allocation, commitments, spend and caps by category and heading',
        params: z.object({ grantId: z.uuid() }),
        querystring: z.object({ asAt: asAtParameter }),
        response: { 200: summarySchema },
      },
    },
    async (request) => {
      const asAt = await resolveAsAt(app.db, request.query.asAt);
      return presentSummary(await summariseGrant(app.db, accessOf(request).organisationId, request.params.grantId, asAt));
    },
  );
};
