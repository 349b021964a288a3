import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { expectations } from '../../governance/expectations/collection.ts';
import type { Expectation } from '../../governance/expectations/repository.ts';
import { EXPECTATION_STATUSES, presentExpectation } from '../../governance/expectations/schemas.ts';
import { statusLabel } from '../../governance/report/model.ts';
import { expectationProgress } from '../../governance/report/service.ts';
import { etagOf, updateRecord } from '../../governance/shared/records.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, pageActorOf, pageAllows, seeOther, setFlash } from '../access.ts';
import { dateBoxes, readDates } from '../dates.ts';
import { type FieldLabels, type FormErrors, formValues, locatedErrors, problemToFormErrors, validateForm } from '../forms.ts';
import { renderPage } from '../render.ts';

type OrgParams = { Params: { orgId: string }; Querystring: Record<string, unknown> };
type ExpectationParams = { Params: { orgId: string; id: string } };

const reader = { config: { page: page.member('organisation', 'orgId', 'reader') } };
const lead = { config: { page: page.member('organisation', 'orgId', 'programme_lead') } };

const LABELS: FieldLabels = { status: 'Status', evidence: 'Evidence', owner: 'Owner', dueBy: 'Target date', area: 'Area' };
const TARGET_DATE = [{ name: 'dueBy', label: LABELS.dueBy! }];

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A filter box left at "All" arrives as an empty string: not given. */
function givenFilter(query: Record<string, unknown>) {
  return Object.fromEntries(['status', 'area'].flatMap((name) => (typeof query[name] === 'string' && query[name] !== '' ? [[name, query[name]]] : [])));
}

async function expectationOrNotFound(app: FastifyInstance, request: FastifyRequest<ExpectationParams>): Promise<Expectation> {
  const key = request.params.id;
  const found = (expectations.isKey ?? (() => false))(key) ? await expectations.store.find(app.db, pageAccessOf(request).organisationId, key) : null;
  if (!found) throw new NotFoundProblem('expectation');
  return found;
}

function formValuesOf(expectation: Expectation): Record<string, string> {
  return {
    status: expectation.status,
    evidence: expectation.evidence ?? '',
    owner: expectation.owner ?? '',
    ...dateBoxes('dueBy', expectation.dueBy),
    version: String(expectation.version),
  };
}

/**
 * The DfE's delivery expectations as a checklist the programme lead keeps: each one's status,
 * evidence, owner and target date, filtered by status and area, with the programme report's
 * count of progress. Writes go through the expectations collection (src/governance/expectations/),
 * with the API's schema, version check and audit.
 */
export async function expectationPages(app: FastifyInstance): Promise<void> {
  const showForm = (request: FastifyRequest, reply: FastifyReply, expectation: Expectation, values: Record<string, string>, errors?: FormErrors) =>
    renderPage(
      request,
      reply,
      'expectation-form',
      {
        expectation: presentExpectation(expectation),
        organisationId: pageAccessOf(request).organisationId,
        values,
        errors,
        statuses: EXPECTATION_STATUSES.map((status) => ({ value: status, text: capitalised(statusLabel(status)), checked: values.status === status })),
      },
      errors ? 400 : 200,
    );

  app.get<OrgParams>('/organisations/:orgId/programme/expectations', reader, async (request, reply) => {
    const organisationId = pageAccessOf(request).organisationId;
    const all = await expectations.list(app.db, organisationId, {});
    const given = givenFilter(request.query);
    const parsed = expectations.schemas.query.safeParse(given);
    const errors = parsed.success
      ? undefined
      : locatedErrors(
          parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: 'must be one of the choices' })),
          (path) => (LABELS[path] ? { id: path, label: LABELS[path] } : null),
        );
    const shown = parsed.success ? await expectations.list(app.db, organisationId, parsed.data) : [];
    const areas = [...new Map(all.filter((e) => e.area !== null).map((e) => [e.area!, presentExpectation(e).areaLabel ?? e.area!])).entries()];
    return renderPage(
      request,
      reply,
      'expectations',
      {
        organisationId,
        progress: expectationProgress(all),
        byArea: areas.map(([area, label]) => ({ label, ...expectationProgress(all.filter((e) => e.area === area)) })),
        items: shown.map((e) => presentExpectation(e)),
        filtered: Object.keys(given).length > 0,
        statusItems: [{ value: '', text: 'All statuses' }, ...EXPECTATION_STATUSES.map((s) => ({ value: s, text: capitalised(statusLabel(s)), selected: given.status === s }))],
        areaItems: [{ value: '', text: 'All areas' }, ...areas.map(([value, text]) => ({ value, text, selected: given.area === value }))],
        canWrite: pageAllows(request, 'programme_lead'),
        errors,
      },
      errors ? 400 : 200,
    );
  });

  app.get<ExpectationParams>('/organisations/:orgId/programme/expectations/:id/edit', lead, async (request, reply) => {
    const expectation = await expectationOrNotFound(app, request);
    return showForm(request, reply, expectation, formValuesOf(expectation));
  });

  app.post<ExpectationParams>('/organisations/:orgId/programme/expectations/:id/edit', lead, async (request, reply) => {
    const expectation = await expectationOrNotFound(app, request);
    const values = formValues(request.body);
    const dates = readDates(values, TARGET_DATE);
    // Every box is sent: an emptied box clears its field (a target date back to the DfE's).
    const body = {
      status: values.status || undefined,
      evidence: values.evidence || null,
      owner: values.owner || null,
      ...(dates.errors.dueBy ? {} : { dueBy: dates.dates.dueBy ?? null }),
    };
    const parsed = validateForm(expectations.schemas.update, body, LABELS, { status: 'must be not started, in progress or met' }, dates.errors);
    if (!parsed.ok) return showForm(request, reply, expectation, values, parsed.errors);
    const actor = pageActorOf(request);
    try {
      // The version the form was opened at: someone else's update meanwhile is a 412, not lost.
      const ifMatch = etagOf({ id: expectation.id, version: Number(values.version) });
      const updated = await updateRecord(app.db, actor, expectations.store, expectation.id, ifMatch, (trx, current) =>
        expectations.prepareUpdate(trx, actor, current, parsed.value),
      );
      setFlash(request, `${updated.code ?? updated.title} updated`, `${capitalised(statusLabel(updated.status))}.`);
      return seeOther(reply, `/organisations/${actor.organisationId}/programme/expectations`);
    } catch (error) {
      const errors = problemToFormErrors(error, LABELS, 'status');
      if (!errors) throw error;
      return showForm(request, reply, expectation, values, errors);
    }
  });
}
