import type { FastifyInstance } from 'fastify';
import { readGrantFigures } from '../../figures/service.ts';
import { findGrants } from '../../grants/service.ts';
import { BENCHMARK_MINIMUM, grantBenchmarks } from '../../regions/service.ts';
import { todayInLondon } from '../../shared/calendar.ts';
import { summariseGrant } from '../../summary/service.ts';
import { page, pageAccessOf, pageAllows, seeOther, webUserOf } from '../access.ts';
import { renderPage } from '../render.ts';
import { categoryChart, quarterlyChart } from './charts.ts';
import { grantFormPages } from './forms.ts';
import { purposeText } from './tranche-form.ts';
import { tranchePages } from './tranches.ts';
import { findOrganisation, organisationsFor, quarterlySpend } from './repository.ts';
import { listedWarnings, overAllocationMessage } from './warnings.ts';
import { returnsNeedingAttention } from '../returns/routes.ts';

type OrgParams = { Params: { orgId: string } };
type GrantParams = { Params: { grantId: string } };

export async function grantPages(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { page: page.signedIn } }, async (request, reply) => {
    const user = webUserOf(request);
    const organisations = await organisationsFor(app.db, user.userId, user.isPlatformAdmin);
    const last = request.session.get('organisationId');
    const chosen = organisations.find((o) => o.id === last) ?? (organisations.length === 1 ? organisations[0] : undefined);
    if (chosen) return seeOther(reply, `/organisations/${chosen.id}`);
    return renderPage(request, reply, 'organisations', { organisations });
  });

  app.get('/organisations', { config: { page: page.signedIn } }, async (request, reply) => {
    const user = webUserOf(request);
    return renderPage(request, reply, 'organisations', { organisations: await organisationsFor(app.db, user.userId, user.isPlatformAdmin) });
  });

  app.get<OrgParams>('/organisations/:orgId', { config: { page: page.member('organisation', 'orgId', 'reader') } }, async (request, reply) => {
    const { organisationId } = pageAccessOf(request);
    const user = webUserOf(request);
    const [organisation, grants, choices] = await Promise.all([
      findOrganisation(app.db, organisationId),
      findGrants(app.db, organisationId),
      organisationsFor(app.db, user.userId, user.isPlatformAdmin),
    ]);
    const [rows, attention] = await Promise.all([
      Promise.all(grants.map(async (grant) => ({ grant, summary: await summariseGrant(app.db, organisationId, grant.id) }))),
      returnsNeedingAttention(app, organisationId),
    ]);
    return renderPage(request, reply, 'organisation', {
      organisation,
      rows,
      attention,
      canChoose: choices.length > 1,
      canWrite: pageAllows(request, 'finance'),
    });
  });

  app.get<GrantParams>('/grants/:grantId', { config: { page: page.member('grant', 'grantId', 'reader') } }, async (request, reply) => {
    const { organisationId } = pageAccessOf(request);
    const { grantId } = request.params;
    const [summary, organisation, attention, benchmarks] = await Promise.all([
      summariseGrant(app.db, organisationId, grantId),
      findOrganisation(app.db, organisationId),
      returnsNeedingAttention(app, organisationId, grantId),
      grantBenchmarks(app.db, organisationId, grantId, todayInLondon(app.clock.now())),
    ]);
    // The lines and the quarters from the one figures read, grouped as the summary's grant.
    const figures = await readGrantFigures(app.db, summary.grant, { before: null, on: null }, { lines: true, quartersOf: summary.grant.financialYear });
    const quarters = quarterlySpend(figures);
    return renderPage(request, reply, 'grant', {
      organisation,
      summary,
      attention,
      categories: summary.categories,
      // The summary owns every warning; the page only words and links them.
      overAllocation: summary.overCommitted.isZero() ? null : { amount: summary.overCommitted, message: overAllocationMessage(summary.warnings) },
      warnings: listedWarnings(grantId, summary.warnings),
      showEarmarked: summary.categories.some((category) => !category.earmarked.isZero()),
      tranches: summary.grant.tranches.map((tranche) => ({ ...tranche, purposeText: purposeText(tranche, summary.grant) })),
      quarters,
      tbcLines: figures.lines.filter((line) => line.counts && line.amount === null),
      categoryChart: await categoryChart(summary.categories),
      // With nothing spent a chart would only draw an empty axis; the page says so instead.
      quarterlyChart: quarters.some((q) => !q.spent.isZero()) ? await quarterlyChart(quarters) : null,
      canWrite: pageAllows(request, 'finance'),
      benchmarks,
      benchmarkMinimum: BENCHMARK_MINIMUM,
      canShare: pageAllows(request, 'admin'),
    });
  });

  await app.register(grantFormPages);
  await app.register(tranchePages);
}
