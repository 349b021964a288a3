import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, principalOf } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { itemsOf, problemResponses, requiredText } from '../http/schemas.ts';
import { formatShare, shareInput, shareOutput } from '../shared/money.ts';
import { ConflictProblem, ValidationProblem } from '../shared/problems.ts';
import { findSchemeByCode, listSchemes, type Scheme } from './repository.ts';

const codeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower case letters, digits and underscores');

export const schemeSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    headings: z.array(z.object({ code: z.string(), label: z.string() })),
    categories: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        heading: z.string(),
        headingLabel: z.string(),
        plannedShare: shareOutput,
        maxShare: shareOutput.nullable(),
      }),
    ),
  })
  .meta({ id: 'Scheme' });

const createSchemeBody = z
  .strictObject({
    code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower case letters, digits and hyphens'),
    name: requiredText(200),
    headings: z.array(z.strictObject({ code: codeSchema, label: requiredText(100) })).min(1).max(20),
    categories: z
      .array(
        z.strictObject({
          code: codeSchema,
          name: requiredText(200),
          heading: codeSchema,
          plannedShare: shareInput,
          maxShare: shareInput.nullable().optional(),
        }),
      )
      .min(1)
      .max(50),
  });

export function presentScheme(scheme: Scheme): z.infer<typeof schemeSchema> {
  const labels = new Map(scheme.headings.map((h) => [h.code, h.label]));
  return {
    id: scheme.id,
    code: scheme.code,
    name: scheme.name,
    headings: scheme.headings.map(({ code, label }) => ({ code, label })),
    categories: scheme.categories.map((c) => ({
      code: c.code,
      name: c.name,
      heading: c.heading,
      headingLabel: labels.get(c.heading) ?? c.heading,
      plannedShare: formatShare(c.plannedShare),
      maxShare: c.maxShare === null ? null : formatShare(c.maxShare),
    })),
  };
}

export const schemeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/schemes',
    {
      config: { access: access.signedIn },
      schema: {
        tags: ['schemes'],
        summary: 'Grant schemes with their reporting headings and categories',
        response: { 200: itemsOf(schemeSchema), ...problemResponses },
      },
    },
    async () => ({ items: (await listSchemes(app.db)).map(presentScheme) }),
  );

  app.post(
    '/schemes',
    {
      config: { access: access.platformAdmin },
      schema: {
        tags: ['schemes'],
        summary: 'Add a grant scheme (platform administrators)',
        body: createSchemeBody,
        response: { 201: schemeSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const problems: { path: string; message: string }[] = [];
      const headingCodes = new Set<string>();
      body.headings.forEach((h, i) => {
        if (headingCodes.has(h.code)) problems.push({ path: `headings.${i}.code`, message: 'is repeated' });
        headingCodes.add(h.code);
      });
      const categoryCodes = new Set<string>();
      body.categories.forEach((c, i) => {
        if (categoryCodes.has(c.code)) problems.push({ path: `categories.${i}.code`, message: 'is repeated' });
        categoryCodes.add(c.code);
        if (!headingCodes.has(c.heading)) problems.push({ path: `categories.${i}.heading`, message: 'is not one of the headings' });
        if (c.maxShare && c.plannedShare.greaterThan(c.maxShare)) {
          problems.push({ path: `categories.${i}.plannedShare`, message: 'must not exceed maxShare' });
        }
      });
      if (problems.length) throw new ValidationProblem(problems);
      try {
        await app.db.transaction().execute(async (trx) => {
          const scheme = await trx.insertInto('schemes').values({ code: body.code, name: body.name }).returning('id').executeTakeFirstOrThrow();
          await trx
            .insertInto('scheme_headings')
            .values(body.headings.map((h, i) => ({ scheme_id: scheme.id, code: h.code, label: h.label, position: i + 1 })))
            .execute();
          await trx
            .insertInto('scheme_categories')
            .values(
              body.categories.map((c, i) => ({
                scheme_id: scheme.id,
                code: c.code,
                name: c.name,
                heading_code: c.heading,
                planned_share: c.plannedShare.toString(),
                max_share: c.maxShare ? c.maxShare.toString() : null,
                position: i + 1,
              })),
            )
            .execute();
          await recordChange(trx, { actorId: principalOf(request).userId, requestId: request.id }, {
            organisationId: null,
            action: 'create',
            entity: 'scheme',
            entityId: scheme.id,
            before: null,
            after: { code: body.code, name: body.name, headings: body.headings, categories: body.categories.map((c) => ({ ...c, plannedShare: formatShare(c.plannedShare), maxShare: c.maxShare ? formatShare(c.maxShare) : null })) },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictProblem(`A scheme with code ${body.code} already exists.`);
        throw error;
      }
      const created = await findSchemeByCode(app.db, body.code);
      return reply.status(201).send(presentScheme(created!));
    },
  );
};
