import { z } from 'zod';
import { ROLES } from './principal.ts';
import { requiredText } from '../http/schemas.ts';

/** A member as an admin adds one: the API's body and the Administration page's form both. */
export const addMemberBody = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email('must be an email address')).pipe(z.string().max(254)),
  name: requiredText(200),
  role: z.enum(ROLES, 'must be one of the roles'),
});
