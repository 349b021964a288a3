import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf } from '../auth/access.ts';

import { endOfLondonDay, isoDateSchema, startOfLondonDay } from '../shared/calendar.ts';
import { takeCheckpoint, verifyAudit } from './checkpoints.ts';
import { findAuditRecords } from './repository.ts';

const auditRecordSchema = z
  .object({
    seq: z.string(),
    at: z.iso.datetime(),
    actor: z.uuid().nullable(),
    action: z.string(),
    entity: z.string(),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditRecord' });

const checkpointSchema = z
  .object({
    id: z.string(),
    seq: z.string().meta({ description: 'The sequence number of the newest record the signature covers (0: none yet).' }),
    hash: z.string().meta({ description: "That record's hash." }),
    signedAt: z.iso.datetime(),
    reason: z.enum(['daily', 'on-demand', 'submission']),
    keyId: z.string(),
    publicKey: z.string().meta({ description: 'The Ed25519 public key, SPKI DER in base64.' }),
    signature: z.string().meta({ description: 'Ed25519 over the canonical JSON of { chainId, seq, hash, signedAt }, in base64.' }),
  })
  .meta({ id: 'AuditCheckpoint' });

const verificationSchema = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  firstBadRecord: z.string().optional(),
  reason: z.string().optional(),
  checkpoints: z.object({
    checked: z.number().int(),
    otherKeys: z.number().int(),
    firstUnreachable: z.object({ id: z.string(), seq: z.string(), signedAt: z.iso.datetime(), reason: z.string() }).optional(),
  }),
});

/** A date is the whole of that day in the UK, as councils count days; a date-time is exact. */
const boundSchema = z.union([z.iso.datetime({ offset: true }), isoDateSchema]);

const MAX_BIGINT = 9223372036854775807n;

const auditQuery = z.object({
  entity: z.string().max(50).optional(),
  entityId: z.string().max(100).optional(),
  actor: z.uuid().optional(),
  from: boundSchema.optional().meta({ description: 'From this date (UK time) or instant, inclusive.' }),
  to: boundSchema.optional().meta({ description: 'Up to this date (UK time, inclusive) or instant (exclusive).' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  after: z
    .string()
    .regex(/^\d{1,19}$/)
    // Sequence numbers are PostgreSQL bigints: a position past the largest is refused, not sent to fail there.
    .refine((value) => !/^\d{1,19}$/.test(value) || BigInt(value) <= MAX_BIGINT, 'must be a sequence number no larger than 9223372036854775807')
    .optional()
    .meta({ description: 'Continue after this sequence number.' }),
});

function lowerBound(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  return value.length === 10 ? startOfLondonDay(value) : new Date(value);
}

function upperBound(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  return value.length === 10 ? endOfLondonDay(value) : new Date(value);
}

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/organisations/:orgId/audit',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['audit'],
        operationId: 'listAuditRecords',
        summary: 'Every change, oldest first: who, when, what before, what after',
        params: z.object({ orgId: z.uuid() }),
        querystring: auditQuery,
        response: { 200: z.object({ items: z.array(auditRecordSchema), next: z.string().nullable() }) },
      },
    },
    async (request) => {
      const q = request.query;
      const records = await findAuditRecords(app.database.reads, accessOf(request).organisationId, {
        entity: q.entity,
        entityId: q.entityId,
        actor: q.actor,
        from: lowerBound(q.from),
        to: upperBound(q.to),
        limit: q.limit,
        afterSeq: q.after,
      });
      return {
        items: records.map((r) => ({
          seq: r.seq,
          at: r.at.toISOString(),
          actor: r.actorId,
          action: r.action,
          entity: r.entity,
          entityId: r.entityId,
          before: r.before,
          after: r.after,
          requestId: r.requestId,
        })),
        next: records.length === q.limit ? records[records.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/organisations/:orgId/audit/verify',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['audit'],
        operationId: 'verifyAuditChain',
        summary: "Prove the organisation's audit chain is whole, unaltered and still reaches every signed checkpoint",
        params: z.object({ orgId: z.uuid() }),
        response: { 200: verificationSchema },
      },
    },
    async (request) => verifyAudit(app.database.reads, app.auditSigner, accessOf(request).organisationId),
  );

  app.post(
    '/organisations/:orgId/audit/checkpoints',
    {
      config: { access: access.member('organisation', 'orgId', 'admin') },
      schema: {
        tags: ['audit'],
        operationId: 'signAuditCheckpoint',
        summary: "Sign the audit chain's head now, with a key the database never holds; keep the answer elsewhere",
        params: z.object({ orgId: z.uuid() }),
        response: { 201: checkpointSchema },
      },
    },
    async (request, reply) => {
      const checkpoint = await takeCheckpoint(app.db, app.auditSigner, accessOf(request).organisationId, 'on-demand', app.clock.now());
      return reply.status(201).send(checkpoint);
    },
  );
};
