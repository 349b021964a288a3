import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Commitment } from '../../commitments/repository.ts';
import { findCommitment } from '../../commitments/service.ts';
import type { Grant } from '../../grants/repository.ts';
import { findGrant } from '../../grants/service.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { pageAccessOf } from '../access.ts';

/** The page's grant, in the organisation its access check resolved. */
export async function grantOrNotFound(app: FastifyInstance, request: FastifyRequest, grantId: string): Promise<Grant> {
  const grant = await findGrant(app.db, pageAccessOf(request).organisationId, grantId);
  if (!grant) throw new NotFoundProblem('grant');
  return grant;
}

export async function lineOrNotFound(app: FastifyInstance, request: FastifyRequest, id: string): Promise<Commitment> {
  const line = await findCommitment(app.db, pageAccessOf(request).organisationId, id);
  if (!line) throw new NotFoundProblem('commitment');
  return line;
}
