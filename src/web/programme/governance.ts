import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUuid } from '../../auth/access.ts';
import { listCommitmentsByDecisions } from '../../commitments/service.ts';
import { decisions } from '../../governance/decisions/collection.ts';
import { meetings } from '../../governance/meetings/collection.ts';
import { posts } from '../../governance/posts/collection.ts';
import { secondments } from '../../governance/secondments/collection.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, pageAllows } from '../access.ts';
import { renderPage } from '../render.ts';

type RecordParams = { Params: { orgId: string; id: string } };

const reader = { config: { page: page.member('organisation', 'orgId', 'reader') } };

async function found<T>(request: FastifyRequest<RecordParams>, noun: string, find: (organisationId: string, id: string) => Promise<T | null>): Promise<T> {
  const record = isUuid(request.params.id) ? await find(pageAccessOf(request).organisationId, request.params.id) : null;
  if (!record) throw new NotFoundProblem(noun);
  return record;
}

/**
 * A meeting with the decisions recorded against it, and a decision with what it approved: the
 * commitment lines that name it (their decisionId) and the posts and secondments those lines
 * fund. Read through the governance collections and the commitments service, as the API reads.
 */
export async function governancePages(app: FastifyInstance): Promise<void> {
  app.get<RecordParams>('/organisations/:orgId/programme/meetings/:id', reader, async (request, reply) => {
    const meeting = await found(request, 'meeting', (organisationId, id) => meetings.store.find(app.db, organisationId, id));
    const taken = await decisions.list(app.db, meeting.organisationId, { meetingId: meeting.id });
    return renderPage(request, reply, 'meeting', {
      meeting: meetings.present(meeting),
      decisions: taken.map((decision) => decisions.present(decision)),
      organisationId: meeting.organisationId,
      canWrite: pageAllows(request, 'programme_lead'),
    });
  });

  app.get<RecordParams>('/organisations/:orgId/programme/decisions/:id', reader, async (request, reply) => {
    const decision = await found(request, 'decision', (organisationId, id) => decisions.store.find(app.db, organisationId, id));
    const organisationId = decision.organisationId;
    const [lines, meeting] = await Promise.all([
      listCommitmentsByDecisions(app.db, organisationId, [decision.id]),
      decision.meetingId ? meetings.store.find(app.db, organisationId, decision.meetingId) : null,
    ]);
    const funded = await Promise.all(
      lines.map(async (line) => {
        const [linePosts, lineSecondments] = await Promise.all([
          posts.list(app.db, organisationId, posts.schemas.query.parse({ commitmentId: line.id })),
          secondments.list(app.db, organisationId, secondments.schemas.query.parse({ commitmentId: line.id })),
        ]);
        return [
          ...linePosts.map((post) => ({ kind: 'Post', title: `${post.title} ×${post.headcount}`, status: post.status, line: line.ref, financialYear: line.financialYear })),
          ...lineSecondments.map((s) => ({ kind: 'Secondment', title: `${s.role}, ${s.partner}`, status: s.status, line: line.ref, financialYear: line.financialYear })),
        ];
      }),
    );
    return renderPage(request, reply, 'decision', {
      decision: decisions.present(decision),
      meeting: meeting ? meetings.present(meeting) : null,
      lines,
      funded: funded.flat(),
      organisationId,
      canWrite: pageAllows(request, 'programme_lead'),
    });
  });
}
