import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { governanceBodies } from './bodies/collection.ts';
import { decisions } from './decisions/collection.ts';
import { expectations } from './expectations/collection.ts';
import { meetings } from './meetings/collection.ts';
import { milestones } from './milestones/collection.ts';
import { posts } from './posts/collection.ts';
import { splitPostRoutes } from './posts/split.ts';
import { reconciliationRoutes } from './reconciliation/routes.ts';
import { listScoreHistory } from './risks/repository.ts';
import { risks } from './risks/collection.ts';
import { presentScoreHistory, scoreHistorySchema } from './risks/schemas.ts';
import { secondments } from './secondments/collection.ts';
import { registerCollection, registerRecordView } from './shared/collection.ts';
import { workstreams } from './workstreams/collection.ts';
import { portfolioSchema, workstreamPortfolio } from './workstreams/portfolio.ts';
import { listRagHistory } from './workstreams/repository.ts';
import { presentRagHistory, ragHistorySchema } from './workstreams/schemas.ts';

/** Programme governance (docs/domain.md), all under /organisations/{orgId} (the programme report is with the other reports, in src/reports/), and each grant's reconciliation of lines and staff. */
export const governanceRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(reconciliationRoutes);
  await app.register(splitPostRoutes);
  registerCollection(app, governanceBodies);
  registerCollection(app, meetings);
  registerCollection(app, decisions);
  registerCollection(app, workstreams);
  registerCollection(app, posts);
  registerCollection(app, secondments);
  registerCollection(app, milestones);
  registerCollection(app, expectations);
  registerCollection(app, risks);

  registerRecordView(app, workstreams, {
    suffix: 'rag-history',
    operationId: 'getWorkstreamRagHistory',
    summary: 'Every RAG rating the workstream has had, with its date and comment, oldest first',
    response: ragHistorySchema,
    load: async (db, organisationId, workstream) => presentRagHistory(await listRagHistory(db, organisationId, workstream.id)),
  });
  registerRecordView(app, workstreams, {
    suffix: 'portfolio',
    operationId: 'getWorkstreamPortfolio',
    summary: 'What belongs to the workstream: its commitment lines in every grant year, posts, secondments, milestones and risks',
    response: portfolioSchema,
    load: (db, organisationId, workstream) => workstreamPortfolio(db, organisationId, workstream.id),
  });
  registerRecordView(app, risks, {
    suffix: 'history',
    operationId: 'getRiskScoreHistory',
    summary: "Every assessment of the risk's likelihood and impact, with its score, oldest first",
    response: scoreHistorySchema,
    load: async (db, organisationId, risk) => presentScoreHistory(await listScoreHistory(db, organisationId, risk.id)),
  });
};
