import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../../auth/access.ts';
import { changeOrganisationBody, createOrganisationBody } from '../../organisations/schemas.ts';
import { changeOrganisation, createOrganisation, findOrganisation, listOrganisations, type Organisation } from '../../organisations/service.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, seeOther, setFlash, webUserOf } from '../access.ts';
import { checkForm, type FieldLocator, type FormErrors, formValues, locatedErrors, problemToFormErrors } from '../forms.ts';
import { renderPage } from '../render.ts';

type OrgParams = { Params: { orgId: string } };

/** Organisations are platform-wide: the same rule as the API's POST and PATCH /organisations. */
const platformAdmin = { config: { page: page.platformAdmin } };

const LABELS = { name: 'Name', code: 'GSS code', emailDomains: 'Email domains', kind: 'Kind of organisation' } as const;

/** The email domains box: one a line (commas also part them), as the API's list. */
function domainsOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\n,;]+/)
    .map((domain) => domain.trim())
    .filter((domain) => domain !== '');
}

/** A domain's error names the domain it is about, against the one box that holds them all. */
function locator(domains: readonly string[]): FieldLocator {
  return (path) => {
    const [field, index] = path.split('.');
    if (field === 'emailDomains') {
      const domain = index === undefined ? undefined : domains[Number(index)];
      return { id: 'emailDomains', label: domain === undefined ? LABELS.emailDomains : `Email domain "${domain}"` };
    }
    return field === 'name' || field === 'code' || field === 'kind' ? { id: field, label: LABELS[field] } : null;
  };
}

function actorOf(request: FastifyRequest) {
  return { userId: webUserOf(request).userId, requestId: request.id };
}

interface OrganisationForm {
  readonly organisation: Organisation | null;
  readonly values: Record<string, string>;
  readonly errors?: FormErrors;
}

function showForm(request: FastifyRequest, reply: FastifyReply, form: OrganisationForm) {
  const action = form.organisation ? `/admin/organisations/${form.organisation.id}` : '/admin/organisations/new';
  return renderPage(request, reply, 'organisation-form', { ...form, action }, form.errors ? 400 : 200);
}

/**
 * Platform administration: every organisation, a new one (a council and the email domains its
 * admins may add people from), and renaming one or changing its domains, through the service
 * the API calls, so the audit record is the same from either door.
 */
export async function organisationPages(app: FastifyInstance): Promise<void> {
  app.get('/admin/organisations', platformAdmin, async (request, reply) =>
    renderPage(request, reply, 'organisations-admin', { organisations: await listOrganisations(app.db, 'all') }),
  );

  app.get('/admin/organisations/new', platformAdmin, async (request, reply) => showForm(request, reply, { organisation: null, values: { kind: 'council' } }));

  app.post('/admin/organisations/new', platformAdmin, async (request, reply) => {
    const values = formValues(request.body);
    const domains = domainsOf(values.emailDomains);
    // A council unless the administrator chose a region or national body (it cannot change later).
    const checked = checkForm(createOrganisationBody, { name: values.name ?? '', code: values.code ?? '', emailDomains: domains, kind: values.kind || 'council' });
    if (!checked.ok) return showForm(request, reply, { organisation: null, values, errors: locatedErrors(checked.problems, locator(domains)) });
    try {
      const created = await createOrganisation(app.db, actorOf(request), checked.value);
      setFlash(request, `${created.name} added`, 'Add its first administrator under Administration; they add the rest of its people.');
      return seeOther(reply, `/organisations/${created.id}/admin`);
    } catch (error) {
      const errors = problemToFormErrors(error, LABELS, 'name');
      if (!errors) throw error;
      return showForm(request, reply, { organisation: null, values, errors });
    }
  });

  const organisationOrNotFound = async (orgId: string) => {
    const found = isUuid(orgId) ? await findOrganisation(app.db, orgId) : null;
    if (!found) throw new NotFoundProblem('organisation');
    return found;
  };

  app.get<OrgParams>('/admin/organisations/:orgId', platformAdmin, async (request, reply) => {
    const organisation = await organisationOrNotFound(request.params.orgId);
    return showForm(request, reply, { organisation, values: { name: organisation.name, emailDomains: organisation.emailDomains.join('\n') } });
  });

  app.post<OrgParams>('/admin/organisations/:orgId', platformAdmin, async (request, reply) => {
    const organisation = await organisationOrNotFound(request.params.orgId);
    const values = formValues(request.body);
    const domains = domainsOf(values.emailDomains);
    const checked = checkForm(changeOrganisationBody, { name: values.name ?? '', emailDomains: domains });
    if (!checked.ok) return showForm(request, reply, { organisation, values, errors: locatedErrors(checked.problems, locator(domains)) });
    const changed = await changeOrganisation(app.db, actorOf(request), organisation.id, checked.value);
    setFlash(
      request,
      `${changed.name} saved`,
      changed.emailDomains.length
        ? `Its admins may add people from ${changed.emailDomains.join(', ')}.`
        : 'Only platform administrators may add its people until it has an email domain.',
    );
    return seeOther(reply, '/admin/organisations');
  });
}
