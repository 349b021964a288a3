import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createGrantBody, trancheInput } from '../../grants/schemas.ts';
import { addTranche, createGrant } from '../../grants/service.ts';
import { financialYearOf, todayInLondon } from '../../shared/calendar.ts';
import { grantSchemeVersion } from '../../grants/tranches.ts';
import type { Grant } from '../../grants/repository.ts';
import { formatPounds } from '../../shared/money.ts';
import { page, pageActorOf, seeOther, setFlash } from '../access.ts';
import { grantOrNotFound } from '../commitments/lookup.ts';
import { type FormErrors, formValues, fundingProblemToFormErrors, problemToFormErrors, validateForm } from '../forms.ts';
import { renderPage } from '../render.ts';
import { purposeChoices, TRANCHE_LABELS as LABELS, trancheBody, trancheDateErrors } from './tranche-form.ts';

type OrgParams = { Params: { orgId: string } };
type GrantParams = { Params: { grantId: string } };

function show(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, errors?: FormErrors) {
  return renderPage(request, reply, template, { ...data, errors }, errors ? 400 : 200);
}

/** A new grant year with its first tranche, and further tranches: the API's schemas and services. */
export async function grantFormPages(app: FastifyInstance): Promise<void> {
  const finance = { config: { page: page.member('organisation', 'orgId', 'finance') } };
  const grantFinance = { config: { page: page.member('grant', 'grantId', 'finance') } };
  // The year the form offers is asked of the clock on each request, so it turns on 1 April.
  app.get<OrgParams>('/organisations/:orgId/grants/new', finance, async (request, reply) => {
    const thisYear = financialYearOf(todayInLondon(app.clock.now()));
    return show(request, reply, 'grant-form', { organisationId: request.params.orgId, values: { financialYear: thisYear, status: 'confirmed' } });
  });

  app.post<OrgParams>('/organisations/:orgId/grants/new', finance, async (request, reply) => {
    const values = formValues(request.body);
    const data = { organisationId: request.params.orgId, values };
    // The tranche is checked on its own first, so its errors name its own boxes, not "tranches.0".
    const tranche = validateForm(trancheInput, trancheBody(values), LABELS, {}, trancheDateErrors(values));
    const parsed = validateForm(
      createGrantBody,
      { scheme: 'csc-prevention', financialYear: values.financialYear ?? '', tranches: tranche.ok ? [trancheBody(values)] : [] },
      LABELS,
    );
    if (!tranche.ok || !parsed.ok) {
      const parts = [parsed, tranche].flatMap((result) => (result.ok ? [] : [result.errors]));
      const errors = { list: parts.flatMap((e) => e.list), fields: Object.assign({}, ...parts.map((e) => e.fields)) };
      return show(request, reply, 'grant-form', data, errors);
    }
    try {
      const grant = await createGrant(app.db, pageActorOf(request), parsed.value);
      setFlash(request, `${grant.schemeName} ${grant.financialYear} created`, `Allocation so far: ${formatPounds(grant.allocation)}.`);
      return seeOther(reply, `/grants/${grant.id}`);
    } catch (error) {
      const errors = problemToFormErrors(error, LABELS, 'amount');
      if (!errors) throw error;
      return show(request, reply, 'grant-form', data, errors);
    }
  });

  const showTrancheForm = async (request: FastifyRequest, reply: FastifyReply, grant: Grant, values: Record<string, string>, errors?: FormErrors) =>
    show(request, reply, 'tranche-form', { grant, values, purposes: purposeChoices(grant, await grantSchemeVersion(app.db, grant), values.earmarkedCategory) }, errors);

  app.get<GrantParams>('/grants/:grantId/tranches/new', grantFinance, async (request, reply) =>
    showTrancheForm(request, reply, await grantOrNotFound(app, request, request.params.grantId), { status: 'confirmed', purpose: '' }),
  );

  app.post<GrantParams>('/grants/:grantId/tranches/new', grantFinance, async (request, reply) => {
    const grant = await grantOrNotFound(app, request, request.params.grantId);
    const values = formValues(request.body);
    const parsed = validateForm(trancheInput, trancheBody(values), LABELS, {}, trancheDateErrors(values));
    if (!parsed.ok) return showTrancheForm(request, reply, grant, values, parsed.errors);
    try {
      const { grant: after } = await addTranche(app.db, pageActorOf(request), grant.id, parsed.value);
      setFlash(request, 'Tranche added', `The allocation is now ${formatPounds(after.allocation)}.`);
      return seeOther(reply, `/grants/${grant.id}`);
    } catch (error) {
      const errors = fundingProblemToFormErrors(error, LABELS);
      if (!errors) throw error;
      return showTrancheForm(request, reply, grant, values, errors);
    }
  });
}
