import type { FastifyInstance } from 'fastify';
import { lineAuditTrail, lineVersions } from '../../commitments/history.ts';
import { exposureOf } from '../../conditions/rules.ts';
import { financialYearOf, quarterOf, todayInLondon } from '../../shared/calendar.ts';
import { listSpendForCommitment } from '../../spend/service.ts';
import { page, pageAccessOf, pageAllows } from '../access.ts';
import { profileView } from '../forecasts/profile-grid.ts';
import { renderPage } from '../render.ts';
import { lineOrNotFound } from './lookup.ts';

type LineParams = { Params: { id: string } };

/** One line: its figures, its spend entries with their quarters, and its history. */
export async function lineDetailPages(app: FastifyInstance): Promise<void> {
  app.get<LineParams>('/commitments/:id', { config: { page: page.member('commitment', 'id', 'reader') } }, async (request, reply) => {
    const line = await lineOrNotFound(app, request, request.params.id);
    const { organisationId } = pageAccessOf(request);
    const [entries, versions, trail, profile] = await Promise.all([
      listSpendForCommitment(app.db, organisationId, line.id),
      lineVersions(app.db, organisationId, line.id),
      lineAuditTrail(app.db, organisationId, line.id),
      profileView(app, organisationId, line.id, todayInLondon(app.clock.now())),
    ]);
    return renderPage(request, reply, 'commitment', {
      line,
      exposure: exposureOf(line),
      entries: entries.map((entry) => ({ ...entry, period: `${financialYearOf(entry.spentOn)} ${quarterOf(entry.spentOn)}` })),
      versions,
      trail,
      profile,
      canWrite: pageAllows(request, 'finance') && line.status !== 'withdrawn',
    });
  });
}
