import { z } from 'zod';
import { requiredText } from '../http/schemas.ts';

const organisationKind = z
  .enum(['council', 'region', 'national'])
  .meta({ description: 'A council keeps grants and may share its headline figures with a region or national body, which reads them.' });

/** The zod schemas of an organisation, read alike by the API and the platform administrator's pages. */
export const organisationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    code: z.string(),
    emailDomains: z.array(z.string()).meta({ description: 'The domains its admins may add people from.', examples: [['rotherham.gov.uk']] }),
    kind: organisationKind,
  })
  .meta({ id: 'Organisation' });

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Lower case, each once: "Rotherham.gov.uk" and "rotherham.gov.uk" are one domain. */
const emailDomains = z
  .array(z.string().trim().toLowerCase().regex(DOMAIN, 'must be a domain such as "rotherham.gov.uk"'))
  .max(50)
  .transform((domains) => [...new Set(domains)]);

export const createOrganisationBody = z.strictObject({
  name: requiredText(200),
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z][0-9]{8}$/, 'must be a GSS code such as "E08000018"'),
  emailDomains: emailDomains.default([]),
  kind: organisationKind.default('council'),
});

export const changeOrganisationBody = z.strictObject({ name: requiredText(200).optional(), emailDomains: emailDomains.optional() });
