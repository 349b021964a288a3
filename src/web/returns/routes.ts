import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addDays, quarterLabel, todayInLondon } from '../../shared/calendar.ts';
import { periodEnded, type ReturnDue } from '../../returns/calendar.ts';
import { prepareBody, signOffBody } from '../../returns/schemas.ts';
import { getSubmission, listSubmissions, prepareSubmission, returnsDue, signOffSubmission, type Submission, submissionChanges, submissionFile } from '../../returns/service.ts';
import { page, pageAccessOf, pageActorOf, pageAllows, seeOther, setFlash, webUserOf } from '../access.ts';
import { type FormErrors, formValues, problemToFormErrors, validateForm } from '../forms.ts';
import { renderPage } from '../render.ts';
import { findOrganisation } from '../grants/repository.ts';
import { sendDownload } from '../../http/download.ts';

type OrgParams = { Params: { orgId: string } };
type GrantParams = { Params: { grantId: string } };
type SubmissionParams = { Params: { submissionId: string } };
type FileParams = { Params: { submissionId: string; format: string } };

/** How far ahead "due soon" looks, on the returns page and the dashboards. */
const DUE_SOON_DAYS = 30;

const RETURN_NAMES = { 'dfe-quarterly': 'DfE quarterly return', transparency: 'Transparency Code: spending over £500' } as const;
const STATUS_TAGS = {
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
  due: { text: 'Due', classes: 'govuk-tag--blue' },
  draft: { text: 'Awaiting sign-off', classes: 'govuk-tag--yellow' },
  submitted: { text: 'Submitted', classes: 'govuk-tag--green' },
} as const;

export interface ReturnRow extends ReturnDue {
  readonly name: string;
  readonly periodText: string;
  readonly tag: { readonly text: string; readonly classes: string };
  /** Only a DfE return of an ended quarter with nothing prepared can be prepared from the list. */
  readonly preparable: boolean;
}

function returnRow(item: ReturnDue, today: string): ReturnRow {
  return {
    ...item,
    name: RETURN_NAMES[item.return],
    periodText: quarterLabel(item.financialYear, item.period),
    tag: STATUS_TAGS[item.status],
    preparable: item.return === 'dfe-quarterly' && item.grantId !== null && item.submissionId === null && periodEnded(item.financialYear, item.period, today),
  };
}

/** The returns a dashboard flags: overdue, awaiting sign-off, or due within DUE_SOON_DAYS. */
export async function returnsNeedingAttention(app: FastifyInstance, organisationId: string, grantId?: string): Promise<{ overdue: ReturnRow[]; dueSoon: ReturnRow[] }> {
  const today = todayInLondon(app.clock.now());
  const items = (await returnsDue(app.db, organisationId, today, { to: addDays(today, DUE_SOON_DAYS) }))
    .filter((item) => grantId === undefined || item.grantId === null || item.grantId === grantId)
    .map((item) => returnRow(item, today));
  return { overdue: items.filter((r) => r.status === 'overdue'), dueSoon: items.filter((r) => r.status === 'due' || r.status === 'draft') };
}

const PREPARE_LABELS = { period: 'Quarter', return: 'Return', replaces: 'Replaces' };
const SIGN_OFF_LABELS = { statement: 'Statement' };

function submissionView(submission: Submission) {
  return {
    ...submission,
    name: RETURN_NAMES['dfe-quarterly'],
    periodText: quarterLabel(submission.financialYear, submission.period as 'Q1'),
    tag: STATUS_TAGS[submission.status],
  };
}

export async function returnPages(app: FastifyInstance): Promise<void> {
  app.get<OrgParams>('/organisations/:orgId/returns', { config: { page: page.member('organisation', 'orgId', 'reader') } }, async (request, reply) => {
    const { organisationId } = pageAccessOf(request);
    const today = todayInLondon(app.clock.now());
    const [organisation, items] = await Promise.all([findOrganisation(app.db, organisationId), returnsDue(app.db, organisationId, today, {})]);
    const rows = items.map((item) => returnRow(item, today));
    const soon = addDays(today, DUE_SOON_DAYS);
    return renderPage(request, reply, 'returns', {
      organisation,
      overdue: rows.filter((r) => r.status === 'overdue'),
      dueSoon: rows.filter((r) => (r.status === 'due' || r.status === 'draft') && r.dueOn <= soon),
      later: rows.filter((r) => (r.status === 'due' || r.status === 'draft') && r.dueOn > soon),
      submitted: rows.filter((r) => r.status === 'submitted'),
      today,
      dueSoonDays: DUE_SOON_DAYS,
      canPrepare: pageAllows(request, 'finance'),
    });
  });

  app.post<GrantParams>('/grants/:grantId/submissions', { config: { page: page.member('grant', 'grantId', 'finance') } }, async (request, reply) => {
    const values = formValues(request.body);
    const { organisationId } = pageAccessOf(request);
    const back = async (errors: FormErrors) => {
      const today = todayInLondon(app.clock.now());
      const [organisation, items] = await Promise.all([findOrganisation(app.db, organisationId), returnsDue(app.db, organisationId, today, {})]);
      const rows = items.map((item) => returnRow(item, today));
      return renderPage(
        request,
        reply,
        'returns',
        {
          organisation,
          overdue: rows.filter((r) => r.status === 'overdue'),
          dueSoon: rows.filter((r) => r.status === 'due' || r.status === 'draft'),
          later: [],
          submitted: rows.filter((r) => r.status === 'submitted'),
          today,
          dueSoonDays: DUE_SOON_DAYS,
          canPrepare: true,
          errors,
        },
        422,
      );
    };
    const parsed = validateForm(prepareBody, { return: values.return, period: values.period, ...(values.replaces ? { replaces: values.replaces } : {}) }, PREPARE_LABELS);
    if (!parsed.ok) return back(parsed.errors);
    let submission: Submission;
    try {
      submission = await prepareSubmission(app.database, { ...pageActorOf(request), now: app.clock.now() }, request.params.grantId, parsed.value);
    } catch (error) {
      const errors = problemToFormErrors(error, PREPARE_LABELS, 'period');
      if (!errors) throw error;
      return back(errors);
    }
    setFlash(request, `${RETURN_NAMES['dfe-quarterly']} prepared`, 'Check the figures and the files, then ask someone else to sign it off.');
    return seeOther(reply, `/submissions/${submission.id}`);
  });

  const showSubmission = async (request: FastifyRequest<SubmissionParams>, submissionId: string, errors: FormErrors | null = null, statement = '') => {
    const { organisationId } = pageAccessOf(request);
    const submission = await getSubmission(app.db, organisationId, submissionId);
    const [organisation, changes, others] = await Promise.all([
      findOrganisation(app.db, organisationId),
      submission.status === 'submitted' ? submissionChanges(app.database, organisationId, submission.id, app.clock.now()) : null,
      listSubmissions(app.db, organisationId, submission.grantId),
    ]);
    const replacedBy = others.find((s) => s.replacesId === submission.id && s.status === 'submitted') ?? null;
    const isPreparer = webUserOf(request).userId === submission.preparedBy;
    return {
      organisation,
      submission: submissionView(submission),
      changes: changes?.items ?? null,
      replacedBy,
      isPreparer,
      canSign: submission.status === 'draft' && pageAllows(request, 'programme_lead') && !isPreparer,
      canResubmit: submission.status === 'submitted' && replacedBy === null && pageAllows(request, 'finance'),
      errors,
      statement,
    };
  };

  app.get<SubmissionParams>('/submissions/:submissionId', { config: { page: page.member('submission', 'submissionId', 'reader') } }, async (request, reply) =>
    renderPage(request, reply, 'submission', await showSubmission(request, request.params.submissionId)),
  );

  app.post<SubmissionParams>('/submissions/:submissionId/sign-off', { config: { page: page.member('submission', 'submissionId', 'programme_lead') } }, async (request, reply) => {
    const values = formValues(request.body);
    const { submissionId } = request.params;
    const parsed = validateForm(signOffBody, { statement: values.statement ?? '' }, SIGN_OFF_LABELS);
    if (!parsed.ok) return renderPage(request, reply, 'submission', await showSubmission(request, submissionId, parsed.errors, values.statement ?? ''), 400);
    try {
      await signOffSubmission(app.db, app.auditSigner, { ...pageActorOf(request), now: app.clock.now() }, submissionId, parsed.value.statement);
    } catch (error) {
      const errors = problemToFormErrors(error, SIGN_OFF_LABELS, 'statement');
      if (!errors) throw error;
      return renderPage(request, reply, 'submission', await showSubmission(request, submissionId, errors, values.statement ?? ''), 422);
    }
    setFlash(request, 'Return signed off and submitted', 'Its files are kept exactly as they are, and their fingerprints are in the audit trail.');
    return seeOther(reply, `/submissions/${submissionId}`);
  });

  app.get<FileParams>('/submissions/:submissionId/files/:format', { config: { page: page.member('submission', 'submissionId', 'reader') } }, async (request, reply) => {
    const file = await submissionFile(app.db, pageAccessOf(request).organisationId, request.params.submissionId, request.params.format);
    return sendDownload(reply, file.mediaType, file.fileName, file.content);
  });
}
