import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf, actorOf } from '../auth/access.ts';
import { itemsOf, problemResponses } from '../http/schemas.ts';
import { todayInLondon } from '../shared/calendar.ts';
import { findOrganisationHeader } from '../reports/service.ts';
import { returnsIcs } from './ics.ts';
import {
  changeSchema,
  prepareBody,
  presentChange,
  presentReturnDue,
  presentSignedOff,
  presentSubmission,
  returnDueSchema,
  returnsQuery,
  signedOffSchema,
  signOffBody,
  submissionFileParams,
  submissionParams,
  submissionSchema,
} from './schemas.ts';
import { getSubmission, listSubmissions, prepareSubmission, returnsDue, signOffSubmission, submissionChanges, submissionFile } from './service.ts';
import { sendDownload } from '../http/download.ts';

const fileContent: Record<string, { schema: z.ZodType }> = { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } };
const fileResponse = { description: 'The file as prepared (JSON, CSV or a workbook); its SHA-256 is the one listed on the submission.', content: fileContent };

const orgParams = z.object({ orgId: z.uuid() });
const grantParams = z.object({ grantId: z.uuid() });

/**
 * Returns and their sign-off. Finance officers (and above) prepare a return, as they prepare
 * the figures; a programme lead or an admin other than the preparer signs it off; everyone reads.
 */
export const returnRoutes: FastifyPluginAsyncZod = async (app) => {
  const actor = (request: Parameters<typeof actorOf>[0]) => ({ ...actorOf(request), now: app.clock.now() });

  app.get(
    '/organisations/:orgId/returns',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['returns'],
        operationId: 'listReturnsDue',
        summary: 'The returns calendar: each DfE quarterly return (per grant) and Transparency Code quarter, when it is due and where it stands',
        description:
          "DfE quarterly returns are due as the grant's scheme version says; transparency returns one month after each quarter's end, for every year the organisation holds a grant. `from` and `to` bound the due dates.",
        params: orgParams,
        querystring: returnsQuery,
        response: { 200: itemsOf(returnDueSchema) },
      },
    },
    async (request) => {
      const items = await returnsDue(app.db, accessOf(request).organisationId, todayInLondon(app.clock.now()), request.query);
      return { items: items.map(presentReturnDue) };
    },
  );

  app.get(
    '/organisations/:orgId/returns.ics',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['returns'],
        operationId: 'getReturnsCalendar',
        summary: 'The returns calendar as iCalendar (RFC 5545): one all-day event per return on its due date',
        params: orgParams,
        querystring: returnsQuery,
        response: { 200: { description: 'An iCalendar feed.', content: { 'text/calendar': { schema: z.string() } } } },
      },
    },
    async (request, reply) => {
      const organisationId = accessOf(request).organisationId;
      const now = app.clock.now();
      const [items, organisation] = await Promise.all([returnsDue(app.db, organisationId, todayInLondon(now), request.query), findOrganisationHeader(app.db, organisationId)]);
      const body = returnsIcs(items, { organisationId, organisationName: organisation?.name ?? 'Organisation', returnsUrl: `/organisations/${organisationId}/returns`, now });
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="returns.ics"').send(body);
    },
  );

  app.post(
    '/grants/:grantId/submissions',
    {
      config: { access: access.member('grant', 'grantId', 'finance') },
      schema: {
        tags: ['returns'],
        operationId: 'prepareSubmission',
        summary: 'Prepare a return for an ended period from the records as they stand: every format, kept byte for byte',
        description:
          'The DfE return for the quarter (lines committed by its last day, spend dated up to it) in each of its formats, stored with its SHA-256 hashes. A quarter that has not ended is 422 invalid-state; so is a period already submitted unless `replaces` names the submission standing for it.',
        params: grantParams,
        body: prepareBody,
        responseHeaders: ['location'],
        response: { 201: submissionSchema, ...problemResponses('invalid-state') },
      },
    },
    async (request, reply) => {
      const submission = await prepareSubmission(app.database, actor(request), request.params.grantId, request.body);
      return reply.status(201).header('location', `/api/v1/submissions/${submission.id}`).send(presentSubmission(submission));
    },
  );

  app.get(
    '/grants/:grantId/submissions',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['returns'],
        operationId: 'listSubmissions',
        summary: "A grant's prepared and submitted returns, newest first",
        params: grantParams,
        response: { 200: itemsOf(submissionSchema) },
      },
    },
    async (request) => ({ items: (await listSubmissions(app.db, accessOf(request).organisationId, request.params.grantId)).map(presentSubmission) }),
  );

  app.get(
    '/submissions/:submissionId',
    {
      config: { access: access.member('submission', 'submissionId', 'reader') },
      schema: { tags: ['returns'], operationId: 'getSubmission', summary: 'A prepared or submitted return', params: submissionParams, response: { 200: submissionSchema } },
    },
    async (request) => presentSubmission(await getSubmission(app.db, accessOf(request).organisationId, request.params.submissionId)),
  );

  app.post(
    '/submissions/:submissionId/sign-off',
    {
      config: { access: access.member('submission', 'submissionId', 'programme_lead') },
      schema: {
        tags: ['returns'],
        operationId: 'signOffSubmission',
        summary: 'Sign a prepared return off, making it submitted; never by the person who prepared it',
        description:
          "A programme lead or admin other than the preparer signs, once (again is 422 invalid-state). The files' hashes go into the audit chain, whose head is then signed with the audit key (`checkpoint`).",
        params: submissionParams,
        body: signOffBody,
        response: { 200: signedOffSchema, ...problemResponses('invalid-state') },
      },
    },
    async (request) => {
      const { submission, checkpoint } = await signOffSubmission(app.db, app.auditSigner, actor(request), request.params.submissionId, request.body.statement);
      return presentSignedOff(submission, checkpoint);
    },
  );

  app.get(
    '/submissions/:submissionId/files/:format',
    {
      config: { access: access.member('submission', 'submissionId', 'reader') },
      schema: {
        tags: ['returns'],
        operationId: 'getSubmissionFile',
        summary: 'A prepared return in one format, byte for byte as prepared',
        params: submissionFileParams,
        responseHeaders: ['content-disposition'],
        response: { 200: fileResponse },
      },
    },
    async (request, reply) => {
      const file = await submissionFile(app.db, accessOf(request).organisationId, request.params.submissionId, request.params.format);
      return sendDownload(reply, file.mediaType, file.fileName, file.content);
    },
  );

  app.get(
    '/submissions/:submissionId/changes',
    {
      config: { access: access.member('submission', 'submissionId', 'reader') },
      schema: {
        tags: ['returns'],
        operationId: 'getSubmissionChanges',
        summary: "The return's figures as submitted against the same period from the records as they stand now, per heading that moved",
        description:
          "`submitted`, `now` and `difference` are spend to the period's end; `spentInQuarter` and `committed` the other figures of the return. Spend dated in the period but entered after it was prepared shows here.",
        params: submissionParams,
        response: { 200: itemsOf(changeSchema) },
      },
    },
    async (request) => {
      const { items } = await submissionChanges(app.database, accessOf(request).organisationId, request.params.submissionId, app.clock.now());
      return { items: items.map(presentChange) };
    },
  );
};
