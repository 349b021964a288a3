import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Scheme, SchemeVersion } from '../../schemes/repository.ts';
import { findSchemeByCode, listSchemes } from '../../schemes/service.ts';
import { createSchemeBody, schemeCodeSchema, schemeVersionBody } from '../../schemes/schemas.ts';
import { addSchemeVersion, createScheme, type PlatformActor } from '../../schemes/service.ts';
import { financialYearOf, todayInLondon } from '../../shared/calendar.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, seeOther, setFlash, webUserOf } from '../access.ts';
import { checkForm, type FormErrors, formValues, locatedErrors } from '../forms.ts';
import { renderPage } from '../render.ts';
import { formTables, nextFinancialYear, schemeProblemToFormErrors, versionBody, versionLocator, versionValues } from './scheme-form.ts';

type SchemeParams = { Params: { code: string } };

/** Schemes are platform-wide: the same rule as the API's POST /schemes. */
const platformAdmin = { config: { page: page.platformAdmin } };

function platformActorOf(request: FastifyRequest): PlatformActor {
  return { userId: webUserOf(request).userId, requestId: request.id };
}

interface SchemeForm {
  readonly scheme: Scheme | null;
  readonly values: Record<string, string>;
  readonly errors?: FormErrors;
}

function showForm(request: FastifyRequest, reply: FastifyReply, form: SchemeForm) {
  const { scheme, values, errors } = form;
  const action = scheme ? `/admin/schemes/${scheme.code}/versions/new` : '/admin/schemes/new';
  return renderPage(request, reply, 'scheme-form', { scheme, values, tables: formTables(values), action, errors }, errors ? 422 : 200);
}

/** A version with what its tables print: each category's heading label, each determination's purpose in words. */
function shownVersion(version: SchemeVersion) {
  const headings = new Map(version.headings.map((h) => [h.code, h.label]));
  const categories = new Map(version.categories.map((c) => [c.code, c.name]));
  return {
    ...version,
    categories: version.categories.map((c) => ({ ...c, headingLabel: headings.get(c.heading) ?? c.heading })),
    determinations: version.determinations.map((d) => ({
      ...d,
      purposeText: d.purpose === 'base' ? 'Base' : `Earmarked to ${categories.get(d.earmarkedCategory ?? '') ?? d.earmarkedCategory}`,
    })),
  };
}

/** Platform administration: grant schemes and their conditions year by year. */
export async function schemePages(app: FastifyInstance): Promise<void> {
  app.get('/admin/schemes', platformAdmin, async (request, reply) => {
    const schemes = await listSchemes(app.db);
    // Newest year first: the one people are setting up is at the top.
    return renderPage(request, reply, 'schemes', { schemes: schemes.map((s) => ({ ...s, versions: [...s.versions].reverse().map(shownVersion) })) });
  });

  const schemeOrNotFound = async (code: string) => {
    // An address no scheme code could have (a NUL, capitals) names no scheme: never ask the database.
    const scheme = schemeCodeSchema.safeParse(code).success ? await findSchemeByCode(app.db, code) : null;
    if (!scheme) throw new NotFoundProblem('scheme');
    return scheme;
  };

  app.get<SchemeParams>('/admin/schemes/:code/versions/new', platformAdmin, async (request, reply) => {
    const scheme = await schemeOrNotFound(request.params.code);
    const latest = scheme.versions.at(-1) ?? null;
    const year = latest ? nextFinancialYear(latest.financialYear) : financialYearOf(todayInLondon(app.clock.now()));
    return showForm(request, reply, { scheme, values: versionValues(latest, year) });
  });

  app.post<SchemeParams>('/admin/schemes/:code/versions/new', platformAdmin, async (request, reply) => {
    const scheme = await schemeOrNotFound(request.params.code);
    const values = formValues(request.body);
    const { body, rows } = versionBody(values);
    const locate = versionLocator(rows);
    const checked = checkForm(schemeVersionBody, body);
    if (!checked.ok) return showForm(request, reply, { scheme, values, errors: locatedErrors(checked.problems, locate) });
    try {
      await addSchemeVersion(app.db, platformActorOf(request), scheme.code, checked.value);
      setFlash(
        request,
        `${scheme.name}: ${checked.value.financialYear} added`,
        `Grants for ${checked.value.financialYear} and later years follow these conditions until a newer version.`,
      );
      return seeOther(reply, '/admin/schemes');
    } catch (error) {
      const errors = schemeProblemToFormErrors(error, locate);
      if (!errors) throw error;
      return showForm(request, reply, { scheme, values, errors });
    }
  });

  app.get('/admin/schemes/new', platformAdmin, async (request, reply) =>
    showForm(request, reply, { scheme: null, values: versionValues(null, financialYearOf(todayInLondon(app.clock.now()))) }),
  );

  app.post('/admin/schemes/new', platformAdmin, async (request, reply) => {
    const values = formValues(request.body);
    const { body, rows } = versionBody(values);
    // The API's body holds a list of versions; this form makes the first, so its paths start "versions.0.".
    const locate = versionLocator(rows, 'versions.0.');
    const checked = checkForm(createSchemeBody, { code: values.code ?? '', name: values.name ?? '', versions: [body] });
    if (!checked.ok) return showForm(request, reply, { scheme: null, values, errors: locatedErrors(checked.problems, locate) });
    try {
      const scheme = await createScheme(app.db, platformActorOf(request), checked.value);
      setFlash(request, `${scheme.name} added`, `Its conditions start in ${checked.value.versions[0]!.financialYear}.`);
      return seeOther(reply, '/admin/schemes');
    } catch (error) {
      const errors = schemeProblemToFormErrors(error, locate);
      if (!errors) throw error;
      return showForm(request, reply, { scheme: null, values, errors });
    }
  });
}
