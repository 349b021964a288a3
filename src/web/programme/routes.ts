import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../../auth/access.ts';
import { buildProgrammeReport } from '../../governance/report/service.ts';
import { createRecord, etagOf, updateRecord } from '../../governance/shared/records.ts';
import { workstreams } from '../../governance/workstreams/collection.ts';
import type { Workstream } from '../../governance/workstreams/repository.ts';
import { todayInLondon } from '../../shared/calendar.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, pageActorOf, pageAllows, seeOther, setFlash } from '../access.ts';
import { type FieldLabels, type FormErrors, formValues, optional, problemToFormErrors, validateForm } from '../forms.ts';
import { milestones } from '../../governance/milestones/collection.ts';
import { posts } from '../../governance/posts/collection.ts';
import { risks } from '../../governance/risks/collection.ts';
import { secondments } from '../../governance/secondments/collection.ts';
import { renderPage } from '../render.ts';
import { RECORD_KINDS } from './kinds.ts';
import { registerRecordPages } from './records.ts';
import { expectationPages } from './expectations.ts';
import { governancePages } from './governance.ts';
import { governanceBodies } from '../../governance/bodies/collection.ts';
import { decisions } from '../../governance/decisions/collection.ts';
import { meetings } from '../../governance/meetings/collection.ts';
import { DUE_WITHIN_DAYS } from '../../reports/programme/report.ts';

type OrgParams = { Params: { orgId: string } };
type WorkstreamParams = { Params: { orgId: string; id: string } };

const WORKSTREAM_LABELS: FieldLabels = { name: 'Name', objectives: 'Objectives', lead: 'Lead', rag: 'RAG rating', ragComment: 'Commentary' };

const reader = { config: { page: page.member('organisation', 'orgId', 'reader') } };
const lead = { config: { page: page.member('organisation', 'orgId', 'programme_lead') } };

async function workstreamOrNotFound(app: FastifyInstance, request: FastifyRequest<WorkstreamParams>): Promise<Workstream> {
  const found = isUuid(request.params.id) ? await workstreams.store.find(app.db, pageAccessOf(request).organisationId, request.params.id) : null;
  if (!found) throw new NotFoundProblem('workstream');
  return found;
}

function showRagForm(request: FastifyRequest, reply: FastifyReply, workstream: Workstream, values: Record<string, string>, errors?: FormErrors) {
  return renderPage(request, reply, 'workstream-rag', { workstream, organisationId: pageAccessOf(request).organisationId, values, errors }, errors ? 422 : 200);
}

/**
 * The programme the grant pays for, over the governance services (src/governance): the
 * programme report's view of workstreams, posts, secondments, milestones and risks, and forms
 * for the records people change most (a workstream and its RAG rating).
 */
export async function programmePages(app: FastifyInstance): Promise<void> {
  app.get<OrgParams>('/organisations/:orgId/programme', reader, async (request, reply) => {
    const report = await buildProgrammeReport(app.db, pageAccessOf(request).organisationId, todayInLondon(app.clock.now()), DUE_WITHIN_DAYS);
    return renderPage(request, reply, 'programme', { report, kinds: Object.values(RECORD_KINDS), canWrite: pageAllows(request, 'programme_lead'), values: {} });
  });

  app.post<OrgParams>('/organisations/:orgId/programme/workstreams', lead, async (request, reply) => {
    const values = formValues(request.body);
    const body = { name: values.name ?? '', objectives: values.objectives ?? '', lead: values.lead };
    const parsed = validateForm(workstreams.schemas.create, body, WORKSTREAM_LABELS);
    const actor = pageActorOf(request);
    let errors = parsed.ok ? undefined : parsed.errors;
    if (parsed.ok) {
      try {
        const created = await createRecord(app.db, actor, workstreams.store, (trx) => workstreams.prepareCreate(trx, actor, parsed.value));
        setFlash(request, `Workstream ${created.name} added`);
        return seeOther(reply, `/organisations/${actor.organisationId}/programme`);
      } catch (error) {
        errors = problemToFormErrors(error, WORKSTREAM_LABELS, 'name') ?? undefined;
        if (!errors) throw error;
      }
    }
    const report = await buildProgrammeReport(app.db, actor.organisationId, todayInLondon(app.clock.now()), DUE_WITHIN_DAYS);
    return renderPage(request, reply, 'programme', { report, kinds: Object.values(RECORD_KINDS), canWrite: true, values, errors }, 400);
  });

  app.get<WorkstreamParams>('/organisations/:orgId/programme/workstreams/:id/rag', lead, async (request, reply) => {
    const workstream = await workstreamOrNotFound(app, request);
    return showRagForm(request, reply, workstream, { rag: workstream.rag ?? '', version: String(workstream.version) });
  });

  app.post<WorkstreamParams>('/organisations/:orgId/programme/workstreams/:id/rag', lead, async (request, reply) => {
    const workstream = await workstreamOrNotFound(app, request);
    const values = formValues(request.body);
    const parsed = validateForm(workstreams.schemas.update, { rag: optional(values.rag), ragComment: values.ragComment }, WORKSTREAM_LABELS, {
      rag: 'must be red, amber or green',
    });
    if (!parsed.ok) return showRagForm(request, reply, workstream, values, parsed.errors);
    const actor = pageActorOf(request);
    try {
      // The version the form was opened at: someone else's rating meanwhile is a 412, not lost.
      const ifMatch = etagOf({ id: workstream.id, version: Number(values.version) });
      await updateRecord(app.db, actor, workstreams.store, workstream.id, ifMatch, (trx, current) => workstreams.prepareUpdate(trx, actor, current, parsed.value));
      setFlash(request, `${workstream.name} rated ${parsed.value.rag ?? workstream.rag ?? ''}`);
      return seeOther(reply, `/organisations/${actor.organisationId}/programme`);
    } catch (error) {
      const errors = problemToFormErrors(error, WORKSTREAM_LABELS, 'rag');
      if (!errors) throw error;
      return showRagForm(request, reply, workstream, values, errors);
    }
  });

  registerRecordPages(app, RECORD_KINDS['governance-bodies'], governanceBodies);
  registerRecordPages(app, RECORD_KINDS.meetings, meetings);
  registerRecordPages(app, RECORD_KINDS.decisions, decisions);
  await app.register(governancePages);
  await app.register(expectationPages);
  registerRecordPages(app, RECORD_KINDS.workstreams, workstreams);
  registerRecordPages(app, RECORD_KINDS.posts, posts);
  registerRecordPages(app, RECORD_KINDS.secondments, secondments);
  registerRecordPages(app, RECORD_KINDS.milestones, milestones);
  registerRecordPages(app, RECORD_KINDS.risks, risks);
}
