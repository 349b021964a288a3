import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isUuid } from '../../auth/access.ts';
import { overviewCsv, overviewXlsx } from '../../regions/present.ts';
import { committedShareThroughYear, type Headline, regionOverview, revokeSharing, sharingOf, shareWith } from '../../regions/service.ts';
import { safeFilename } from '../../reports/shared/format.ts';
import { financialYearOf, financialYearSchema, todayInLondon } from '../../shared/calendar.ts';
import { NotFoundProblem, ValidationProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, seeOther, setFlash, webUserOf } from '../access.ts';
import { formValues } from '../forms.ts';
import { committedShareChart } from '../grants/charts.ts';
import { findOrganisation } from '../grants/repository.ts';
import { renderPage } from '../render.ts';
import { sendDownload } from '../../http/download.ts';

type OrgParams = { Params: { orgId: string } };
type ShareParams = { Params: { orgId: string; withId: string } };

/** The overview's columns a person may sort by, and how. */
const SORTS = {
  name: (a: Headline, b: Headline) => a.organisation.name.localeCompare(b.organisation.name),
  allocation: (a: Headline, b: Headline) => a.allocation.comparedTo(b.allocation),
  committedShare: (a: Headline, b: Headline) => compareOrNull(a.committedShare, b.committedShare),
  spentShare: (a: Headline, b: Headline) => compareOrNull(a.spentShare, b.spentShare),
  variance: (a: Headline, b: Headline) => a.variance.comparedTo(b.variance),
  transformationShare: (a: Headline, b: Headline) => compareOrNull(a.transformationShare, b.transformationShare),
  postsInPost: (a: Headline, b: Headline) => a.postsInPost - b.postsInPost,
  overdueReturns: (a: Headline, b: Headline) => a.overdueReturns - b.overdueReturns,
} as const;
type SortKey = keyof typeof SORTS;

function compareOrNull(a: Headline['committedShare'], b: Headline['committedShare']): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return a.comparedTo(b);
}

const MONTH_LABELS = ['Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Jan', 'Feb', 'Mar'];
/** Each council's own line on the chart while there are few enough to tell apart. */
const COUNCIL_LINES_UP_TO = 15;

const overviewQuery = z.object({
  financialYear: financialYearSchema.optional(),
  sort: z.string().optional(),
  order: z.string().optional(),
  format: z.string().optional(),
});

function readQuery(request: FastifyRequest, today: string) {
  const parsed = overviewQuery.safeParse(request.query);
  if (!parsed.success) throw new ValidationProblem([{ path: 'financialYear', message: 'must be a financial year such as "2025-26"' }]);
  const sort: SortKey = parsed.data.sort !== undefined && Object.hasOwn(SORTS, parsed.data.sort) ? (parsed.data.sort as SortKey) : 'name';
  return {
    financialYear: parsed.data.financialYear ?? financialYearOf(today),
    sort,
    order: parsed.data.order === 'desc' ? ('desc' as const) : ('asc' as const),
    format: parsed.data.format,
  };
}

/** The years a region is likely to look at: last year, this year and next. */
function yearChoices(today: string): string[] {
  const start = Number(financialYearOf(today).slice(0, 4));
  return [start - 1, start, start + 1].map((y) => `${y}-${String((y + 1) % 100).padStart(2, '0')}`);
}

async function showSharing(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, error?: string) {
  const { organisationId } = pageAccessOf(request);
  const [organisation, sharing] = await Promise.all([findOrganisation(app.db, organisationId), sharingOf(app.db, organisationId)]);
  if (!organisation) throw new NotFoundProblem('organisation');
  const shared = new Set(sharing.shares.map((s) => s.withOrganisation.id));
  return renderPage(
    request,
    reply,
    'sharing',
    {
      organisation,
      shares: sharing.shares,
      choices: sharing.bodies.filter((b) => !shared.has(b.id)),
      errors: error ? { list: [{ text: error, href: '#withOrganisationId' }], fields: { withOrganisationId: { text: error } } } : undefined,
    },
    error ? 400 : 200,
  );
}

/** A region's overview of the councils sharing with it, and a council's sharing settings. */
export async function regionPages(app: FastifyInstance): Promise<void> {
  const reader = { config: { page: page.member('organisation', 'orgId', 'reader') } };
  const admin = { config: { page: page.member('organisation', 'orgId', 'admin') } };
  const today = () => todayInLondon(app.clock.now());

  app.get<OrgParams>('/organisations/:orgId/overview', reader, async (request, reply) => {
    const { organisationId } = pageAccessOf(request);
    const query = readQuery(request, today());
    const overview = await regionOverview(app.db, organisationId, { financialYear: query.financialYear }, today());
    const sign = query.order === 'desc' ? -1 : 1;
    const rows = [...overview.items].sort((a, b) => sign * SORTS[query.sort](a, b) || SORTS.name(a, b));
    const headings = Object.fromEntries(
      Object.keys(SORTS).map((key) => {
        const active = key === query.sort;
        const next = active && query.order === 'asc' ? 'desc' : 'asc';
        const href = `?${new URLSearchParams({ financialYear: query.financialYear, sort: key, order: next }).toString()}`;
        return [key, { href, ariaSort: active ? (query.order === 'asc' ? 'ascending' : 'descending') : 'none' }];
      }),
    );
    const through = committedShareThroughYear(overview, today());
    const chart =
      overview.items.length > 0 && through.months.length > 0
        ? await committedShareChart(
            through,
            through.months.map((_, i) => MONTH_LABELS[i]!),
            overview.items.length <= COUNCIL_LINES_UP_TO,
          )
        : null;
    return renderPage(request, reply, 'overview', { overview, rows, headings, chart, years: yearChoices(today()), financialYear: query.financialYear });
  });

  app.get<OrgParams>('/organisations/:orgId/overview/download', reader, async (request, reply) => {
    const { organisationId } = pageAccessOf(request);
    const query = readQuery(request, today());
    if (query.format !== 'csv' && query.format !== 'xlsx') throw new ValidationProblem([{ path: 'format', message: 'must be csv or xlsx' }]);
    const overview = await regionOverview(app.db, organisationId, { financialYear: query.financialYear }, today());
    const filename = safeFilename(['overview', overview.organisation.code, overview.scheme?.code, overview.financialYear], query.format);
    const mediaType = query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    return sendDownload(reply, mediaType, filename, query.format === 'csv' ? overviewCsv(overview) : overviewXlsx(overview, app.clock.now()));
  });

  app.get<OrgParams>('/organisations/:orgId/admin/sharing', admin, async (request, reply) => showSharing(app, request, reply));

  app.post<OrgParams>('/organisations/:orgId/admin/sharing', admin, async (request, reply) => {
    const withId = formValues(request.body).withOrganisationId ?? '';
    if (!isUuid(withId)) return showSharing(app, request, reply, 'Choose a region or national body to share with');
    const actor = { organisationId: pageAccessOf(request).organisationId, userId: webUserOf(request).userId, requestId: request.id };
    const { share } = await shareWith(app.db, actor, withId);
    setFlash(request, `Your headline figures are shared with ${share.withOrganisation.name}`, 'Its members see them in their next overview. You can stop at any time.');
    return seeOther(reply, `/organisations/${request.params.orgId}/admin/sharing`);
  });

  app.post<ShareParams>('/organisations/:orgId/admin/sharing/:withId/revoke', admin, async (request, reply) => {
    if (!isUuid(request.params.withId)) throw new NotFoundProblem('share');
    const actor = { organisationId: pageAccessOf(request).organisationId, userId: webUserOf(request).userId, requestId: request.id };
    await revokeSharing(app.db, actor, request.params.withId);
    setFlash(request, 'Sharing stopped', 'That body no longer sees your figures, from its next overview on.');
    return seeOther(reply, `/organisations/${request.params.orgId}/admin/sharing`);
  });
}
