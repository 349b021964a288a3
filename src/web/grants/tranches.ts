import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Grant, Tranche } from '../../grants/repository.ts';
import { etagOfTranche, updateTrancheBody } from '../../grants/schemas.ts';
import { amendTranche, assertTrancheChangeable, findTranche, grantSchemeVersion, withdrawTranche } from '../../grants/tranches.ts';
import { formatPounds } from '../../shared/money.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, pageActorOf, seeOther, setFlash } from '../access.ts';
import { type FormErrors, formValues, fundingProblemToFormErrors, validateForm } from '../forms.ts';
import { renderPage } from '../render.ts';
import { amendedTrancheBody, purposeChoices, purposeText, TRANCHE_LABELS, trancheDateErrors, trancheValues } from './tranche-form.ts';

type TrancheParams = { Params: { trancheId: string } };

/** The same rule as the API's PATCH and withdraw: finance and above, in the tranche's organisation. */
const financeOnTranche = { config: { page: page.member('tranche', 'trancheId', 'finance') } };

/** The version the form was opened at: a change made meanwhile by someone else is 412, not lost. */
function openedAt(tranche: Tranche, values: Record<string, string>): string {
  return etagOfTranche({ id: tranche.id, version: Number(values.version) });
}

/** Correct a tranche (amount, purpose, determination, date, confirm a provisional one) or withdraw it. */
export async function tranchePages(app: FastifyInstance): Promise<void> {
  const trancheOrNotFound = async (request: FastifyRequest<TrancheParams>) => {
    const found = await findTranche(app.db, pageAccessOf(request).organisationId, request.params.trancheId);
    if (!found) throw new NotFoundProblem('tranche');
    assertTrancheChangeable(found.tranche);
    return found;
  };

  const showChangeForm = async (request: FastifyRequest, reply: FastifyReply, found: { tranche: Tranche; grant: Grant }, values: Record<string, string>, errors?: FormErrors) => {
    const version = await grantSchemeVersion(app.db, found.grant);
    return renderPage(request, reply, 'tranche-change', { ...found, values, purposes: purposeChoices(found.grant, version, values.earmarkedCategory), errors }, errors ? 422 : 200);
  };

  app.get<TrancheParams>('/tranches/:trancheId/edit', financeOnTranche, async (request, reply) => {
    const found = await trancheOrNotFound(request);
    return showChangeForm(request, reply, found, trancheValues(found.tranche));
  });

  app.post<TrancheParams>('/tranches/:trancheId/edit', financeOnTranche, async (request, reply) => {
    const found = await trancheOrNotFound(request);
    const values = formValues(request.body);
    const parsed = validateForm(updateTrancheBody, amendedTrancheBody(values), TRANCHE_LABELS, {}, trancheDateErrors(values));
    if (!parsed.ok) return showChangeForm(request, reply, found, values, parsed.errors);
    try {
      const { tranche, grant } = await amendTranche(app.db, pageActorOf(request), found.tranche.id, parsed.value, openedAt(found.tranche, values));
      setFlash(
        request,
        'Tranche changed',
        `${tranche.description}: ${formatPounds(tranche.amount)}, ${tranche.status}, ${purposeText(tranche, grant).toLowerCase()}. The allocation is now ${formatPounds(grant.allocation)}.`,
      );
      return seeOther(reply, `/grants/${grant.id}`);
    } catch (error) {
      const errors = fundingProblemToFormErrors(error, TRANCHE_LABELS);
      if (!errors) throw error;
      return showChangeForm(request, reply, found, values, errors);
    }
  });

  app.get<TrancheParams>('/tranches/:trancheId/withdraw', financeOnTranche, async (request, reply) => {
    const found = await trancheOrNotFound(request);
    return renderPage(request, reply, 'tranche-withdraw', { ...found, purpose: purposeText(found.tranche, found.grant) });
  });

  app.post<TrancheParams>('/tranches/:trancheId/withdraw', financeOnTranche, async (request, reply) => {
    const found = await trancheOrNotFound(request);
    const values = formValues(request.body);
    try {
      const { grant } = await withdrawTranche(app.db, pageActorOf(request), found.tranche.id, openedAt(found.tranche, values));
      setFlash(request, 'Tranche withdrawn', `${found.tranche.description} no longer counts in the allocation, which is now ${formatPounds(grant.allocation)}.`);
      return seeOther(reply, `/grants/${grant.id}`);
    } catch (error) {
      const errors = fundingProblemToFormErrors(error, {}, null);
      if (!errors) throw error;
      return renderPage(request, reply, 'tranche-withdraw', { ...found, purpose: purposeText(found.tranche, found.grant), errors }, 422);
    }
  });
}
