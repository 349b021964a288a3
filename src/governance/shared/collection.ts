import type { FastifyInstance, FastifyTypeProviderDefault } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { access, accessOf, type Actor, actorOf, isUuid } from '../../auth/access.ts';
import type { Database } from '../../db/tables.ts';
import { itemsOf, problemResponses } from '../../http/schemas.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { createRecord, etagOf, type RecordStore, updateRecord, type Versioned } from './records.ts';
import { ifMatchHeaders, orgParams, recordParams } from './schemas.ts';

export type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

/**
 * One kind of governance record, as the public API lays every one out under
 * /organisations/{orgId}/<path>: GET → { items }, POST → 201, GET and PATCH on /{id}.
 */
export interface Collection<Rec extends Versioned, Fields, C extends z.ZodType, U extends z.ZodType, Q extends z.ZodType, O extends z.ZodType> {
  /** The path segment, e.g. "governance-bodies". */
  readonly path: string;
  /** For summaries: "governance body", "governance bodies". */
  readonly noun: string;
  readonly plural: string;
  readonly schemas: { readonly create: C; readonly update: U; readonly query: Q; readonly item: O };
  /** Whether an {id} can name a record: a UUID unless the kind has another natural key too. */
  readonly isKey?: (id: string) => boolean;
  readonly store: RecordStore<Rec, Fields>;
  present(record: Rec): z.output<O>;
  list(db: Kysely<Database>, organisationId: string, query: z.output<Q>): Promise<Rec[]>;
  prepareCreate(trx: Transaction<Database>, actor: Actor, body: z.output<C>): Promise<Fields>;
  prepareUpdate(trx: Transaction<Database>, actor: Actor, current: Rec, body: z.output<U>): Promise<Fields>;
}

/** Lets the compiler infer a collection's types from its parts. */
export function defineCollection<Rec extends Versioned, Fields, C extends z.ZodType, U extends z.ZodType, Q extends z.ZodType, O extends z.ZodType>(
  collection: Collection<Rec, Fields, C, U, Q, O>,
): Collection<Rec, Fields, C, U, Q, O> {
  return collection;
}

/**
 * Fastify has validated `value` against `schema` before the handler runs and replaced it with
 * the parsed output; the compiler cannot follow that through a generic schema, so this says it.
 */
function validated<S extends z.ZodType>(_schema: S, value: unknown): z.output<S> {
  return value as z.output<S>;
}

const READ = (param: string) => access.member('organisation', param, 'reader');
const WRITE = (param: string) => access.member('organisation', param, 'programme_lead');

/** A generic item schema leaves the reply's type unresolved; the presenters' types stand in for it. */
type Responses = Record<number, z.ZodType>;

const pascal = (words: string) => words.replace(/(^|-)(\w)/g, (_, _dash: string, letter: string) => letter.toUpperCase());

/** OpenAPI operation names from the path segment: "governance-bodies" → GovernanceBody, GovernanceBodies. */
function operationNames(path: string): { one: string; many: string } {
  const many = pascal(path);
  return { one: many.replace(/ies$/, 'y').replace(/s$/, ''), many };
}

export function registerCollection<Rec extends Versioned, Fields, C extends z.ZodType, U extends z.ZodType, Q extends z.ZodType, O extends z.ZodType>(
  zodApp: ZodApp,
  collection: Collection<Rec, Fields, C, U, Q, O>,
): void {
  const app: FastifyInstance = zodApp.withTypeProvider<FastifyTypeProviderDefault>();
  const { schemas, store } = collection;
  const base = `/organisations/:orgId/${collection.path}`;
  const tags = ['governance'];
  const isKey = collection.isKey ?? isUuid;
  const { one, many } = operationNames(collection.path);
  // A malformed id names nothing: 404, as for an unknown one.
  const idOf = (params: unknown) => {
    const { id } = validated(recordParams, params);
    if (!isKey(id)) throw new NotFoundProblem(store.entity);
    return id;
  };

  app.get(
    base,
    {
      config: { access: READ('orgId') },
      schema: {
        tags,
        operationId: `list${many}`,
        summary: `The organisation's ${collection.plural}`,
        params: orgParams,
        querystring: schemas.query,
        response: { 200: itemsOf(schemas.item) },
      },
    },
    async (request) => {
      const records = await collection.list(app.db, accessOf(request).organisationId, validated(schemas.query, request.query));
      return { items: records.map((record) => collection.present(record)) };
    },
  );

  app.post(
    base,
    {
      config: { access: WRITE('orgId') },
      schema: {
        tags,
        operationId: `create${one}`,
        responseHeaders: ['etag', 'location'],
        summary: `Add a ${collection.noun}`,
        params: orgParams,
        body: schemas.create,
        response: { 201: schemas.item, ...problemResponses('conflict', 'invalid-state') } as Responses,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const body = validated(schemas.create, request.body);
      const record = await createRecord(app.db, actor, store, (trx) => collection.prepareCreate(trx, actor, body));
      return reply
        .status(201)
        .header('etag', etagOf(record))
        .header('location', `/api/v1/organisations/${actor.organisationId}/${collection.path}/${record.id}`)
        .send(collection.present(record));
    },
  );

  app.get(
    `${base}/:id`,
    {
      config: { access: READ('orgId') },
      schema: {
        tags,
        operationId: `get${one}`,
        responseHeaders: ['etag'],
        summary: `One ${collection.noun}, with its ETag`,
        params: recordParams,
        response: { 200: schemas.item } as Responses,
      },
    },
    async (request, reply) => {
      const record = await store.find(app.db, accessOf(request).organisationId, idOf(request.params));
      if (!record) throw new NotFoundProblem(store.entity);
      return reply.header('etag', etagOf(record)).send(collection.present(record));
    },
  );

  app.patch(
    `${base}/:id`,
    {
      config: { access: WRITE('orgId') },
      schema: {
        tags,
        operationId: `update${one}`,
        responseHeaders: ['etag'],
        summary: `Change a ${collection.noun} (honours If-Match)`,
        params: recordParams,
        headers: ifMatchHeaders,
        body: schemas.update,
        response: { 200: schemas.item, ...problemResponses('conflict', 'invalid-state') } as Responses,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const body = validated(schemas.update, request.body);
      const ifMatch = validated(ifMatchHeaders, request.headers)['if-match'];
      const record = await updateRecord(app.db, actor, store, idOf(request.params), ifMatch, (trx, current) => collection.prepareUpdate(trx, actor, current, body));
      return reply.header('etag', etagOf(record)).send(collection.present(record));
    },
  );
}

/** A read-only view of one record, e.g. its history: GET /organisations/{orgId}/<path>/{id}/<suffix>. */
export function registerRecordView<Rec extends Versioned, O extends z.ZodType>(
  zodApp: ZodApp,
  collection: Pick<Collection<Rec, never, z.ZodType, z.ZodType, z.ZodType, z.ZodType>, 'path' | 'store'>,
  view: {
    readonly suffix: string;
    readonly operationId: string;
    readonly summary: string;
    readonly response: O;
    load(db: Kysely<Database>, organisationId: string, record: Rec): Promise<z.output<O>>;
  },
): void {
  const app: FastifyInstance = zodApp.withTypeProvider<FastifyTypeProviderDefault>();
  app.get(
    `/organisations/:orgId/${collection.path}/:id/${view.suffix}`,
    {
      config: { access: READ('orgId') },
      schema: { tags: ['governance'], operationId: view.operationId, summary: view.summary, params: recordParams, response: { 200: view.response } as Responses },
    },
    async (request) => {
      const { id } = validated(recordParams, request.params);
      const organisationId = accessOf(request).organisationId;
      const record = isUuid(id) ? await collection.store.find(app.db, organisationId, id) : null;
      if (!record) throw new NotFoundProblem(collection.store.entity);
      return view.load(app.db, organisationId, record);
    },
  );
}
