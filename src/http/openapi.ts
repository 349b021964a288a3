import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { AccessRule } from '../auth/access.ts';
import { type DocumentedProblem, PROBLEM_TYPES } from './schemas.ts';

/** Response headers a route declares it sends on success; see RESPONSE_HEADERS. */
export type ResponseHeader = 'etag' | 'location' | 'content-disposition';

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI: the headers a successful response carries. */
    responseHeaders?: readonly ResponseHeader[];
    /** OpenAPI: a multipart body the handler reads itself (Fastify validates no multipart body). */
    multipartBody?: z.ZodType;
  }
}

/** The operations' tags, in the order the documentation lists them. */
export const OPENAPI_TAGS = [
  { name: 'organisations', description: 'Councils and other bodies that hold grants; the tenant of every record.' },
  { name: 'users', description: 'Members, their roles and their API tokens.' },
  { name: 'schemes', description: 'Grant schemes and their conditions (categories, shares, caps, determinations) by financial year.' },
  { name: 'grants', description: "A scheme's grant for one financial year: tranches, allocation and category settings." },
  { name: 'commitments', description: 'Commitment lines: what the grant is planned and committed to pay for.' },
  { name: 'spend', description: 'Money paid out against a commitment line.' },
  { name: 'imports', description: 'Spreadsheet uploads previewed, corrected and applied all or nothing; cost-centre mappings.' },
  { name: 'reports', description: 'Reports for the DfE, committees and the Transparency Code, in several formats, as at any day.' },
  { name: 'audit', description: 'Every change with who, when, before and after, in a hash chain that proves it whole.' },
  { name: 'returns', description: 'The returns calendar (also as iCalendar), returns prepared from the records, signed off by another person and kept byte for byte.' },
  { name: 'forecasts', description: 'Forecast outturn: line profiles by month, the forecast to 31 March, kept forecasts by period and what if.' },
  { name: 'governance', description: 'The programme the grant pays for: bodies, meetings, decisions, workstreams, posts, secondments, milestones, expectations and risks.' },
  {
    name: 'regions',
    description:
      "Consented sharing: a council shares its headline figures with a region or national body, whose members see the sharing councils side by side; each sharing council's benchmark.",
  },
];

const HEADER_DOCS: Record<ResponseHeader | 'idempotent-replayed', { name: string; description: string; schema: object }> = {
  etag: { name: 'ETag', description: "The record's version: send it as If-Match on a later change.", schema: { type: 'string', examples: ['"3"'] } },
  location: { name: 'Location', description: 'Where the record just created is read.', schema: { type: 'string', format: 'uri-reference' } },
  'content-disposition': {
    name: 'Content-Disposition',
    description: 'For the file formats (not JSON): attachment, with a file name built from codes and dates.',
    schema: { type: 'string', examples: ['attachment; filename="cabinet-table-2025-26.csv"'] },
  },
  'idempotent-replayed': {
    name: 'Idempotent-Replayed',
    description: 'Present, as "true", when this response replays an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};

const SUCCESS_DESCRIPTIONS: Record<string, string> = { 200: 'OK', 201: 'Created', 204: 'Done; no content' };
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PROBLEM_BY_COMPONENT = new Map(Object.entries(PROBLEM_TYPES).map(([name, { id }]) => [`#/components/schemas/${id}`, name as DocumentedProblem]));

type TransformInput = Parameters<typeof jsonSchemaTransform>[0] & { route: RouteOptions };
type JsonObject = Record<string, unknown>;

function accessSentence(rule: AccessRule | undefined): string {
  switch (rule?.kind) {
    case undefined:
    case 'public':
      return 'No token needed.';
    case 'signed-in':
      return 'Any valid API token; the answer covers only what the caller may see.';
    case 'platform-admin':
      return 'Platform administrators only.';
    case 'member':
      return `Members of the ${rule.entity}'s organisation with the ${rule.role.replace('_', ' ')} role or higher, and platform administrators; in any other organisation the ${rule.entity} is not found (404).`;
    case 'token-manager':
      return 'The user themself, a platform administrator, or an admin of every organisation the user belongs to.';
  }
}

/** The problems a route can give because of its shape, whatever its services do. */
function impliedProblems(route: RouteOptions, schema: JsonObject, hasIfMatch: boolean): DocumentedProblem[] {
  const rule = route.config?.access;
  const idempotent = route.config?.idempotent === true;
  const names: DocumentedProblem[] = ['unavailable'];
  if (schema.params || schema.querystring || schema.body || schema.headers || schema.multipartBody || idempotent) names.push('validation');
  if (rule && rule.kind !== 'public') names.push('unauthorized');
  if (rule?.kind === 'platform-admin' || rule?.kind === 'token-manager' || (rule?.kind === 'member' && rule.role !== 'reader')) names.push('forbidden');
  if (schema.params || rule?.kind === 'member' || rule?.kind === 'token-manager') names.push('not-found');
  if (hasIfMatch) names.push('precondition-failed');
  const methods = [route.method].flat();
  if (methods.some((method) => BODY_METHODS.has(method))) names.push('payload-too-large', 'unsupported-media-type');
  if (idempotent) names.push('request-in-flight', 'idempotency-conflict');
  return names;
}

function refsOf(schema: unknown): string[] {
  const value = schema as { $ref?: string; anyOf?: unknown[]; oneOf?: unknown[] } | undefined;
  if (value?.$ref) return [value.$ref];
  return [...(value?.anyOf ?? []), ...(value?.oneOf ?? [])].flatMap(refsOf);
}

function problemResponse(names: DocumentedProblem[]): JsonObject {
  const unique = [...new Set(names)];
  const refs = unique.map((name) => ({ $ref: `#/components/schemas/${PROBLEM_TYPES[name].id}` }));
  return {
    description: `Problem: ${unique.map((name) => `\`${name}\``).join(' or ')}.`,
    content: { 'application/problem+json': { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } },
  };
}

function headerObjects(names: readonly (ResponseHeader | 'idempotent-replayed')[]): JsonObject {
  return Object.fromEntries(names.map((name) => [HEADER_DOCS[name].name, { description: HEADER_DOCS[name].description, ...HEADER_DOCS[name].schema }]));
}

/**
 * jsonSchemaTransform, then what it cannot know from a zod schema: each operation's full set
 * of problem responses as application/problem+json (the route's own, merged with those its
 * access rule, inputs and method imply), the headers its success response carries, a multipart
 * body, and a description saying who may call it.
 */
export function openApiTransform(input: TransformInput) {
  const { route } = input;
  const original = (input.schema ?? {}) as JsonObject;
  const hasMultipart = original.multipartBody !== undefined;
  const { multipartBody, responseHeaders, ...rest } = original;
  const asZod = hasMultipart ? { ...rest, body: multipartBody } : rest;
  const transformed = jsonSchemaTransform({ ...input, schema: asZod as typeof input.schema }) as { schema: JsonObject; url: string };
  const schema = transformed.schema;
  if (schema.hide) return transformed;

  const method = [route.method].flat().join(',');
  if (typeof schema.operationId !== 'string') throw new Error(`OpenAPI: ${method} ${input.url} has no operationId`);
  const headerShape = (original.headers as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const hasIfMatch = 'if-match' in headerShape;

  const sentences = [
    typeof original.description === 'string' ? original.description : (original.summary as string) + '.',
    `**Who may call it:** ${accessSentence(route.config?.access)}`,
  ];
  if (route.config?.idempotent)
    sentences.push(
      '**Retries:** send an Idempotency-Key; a retry with the same key and body replays the first response (with Idempotent-Replayed: true) and writes nothing again.',
    );
  if (hasIfMatch) sentences.push('**Concurrency:** send If-Match with the ETag from your last read; if someone changed the record since, nothing changes and the answer is 412.');
  schema.description = sentences.join('\n\n');

  const responses = (schema.response ?? {}) as Record<string, JsonObject>;
  const problems = new Map<number, DocumentedProblem[]>();
  for (const name of impliedProblems(route, original, hasIfMatch)) {
    const status = PROBLEM_TYPES[name].status;
    problems.set(status, [...(problems.get(status) ?? []), name]);
  }
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) < 400) continue;
    const declared = refsOf(response).map((ref) => PROBLEM_BY_COMPONENT.get(ref));
    if (declared.length === 0 || declared.includes(undefined)) throw new Error(`OpenAPI: ${method} ${input.url} answers ${status} with something that is not a named problem`);
    problems.set(Number(status), [...(problems.get(Number(status)) ?? []), ...(declared as DocumentedProblem[])]);
    delete responses[status];
  }

  const successHeaders = [...((responseHeaders as ResponseHeader[] | undefined) ?? []), ...(route.config?.idempotent ? (['idempotent-replayed'] as const) : [])];
  for (const [status, response] of Object.entries(responses)) {
    const described = { description: SUCCESS_DESCRIPTIONS[status] ?? 'OK', ...(successHeaders.length > 0 ? { headers: headerObjects(successHeaders) } : {}) };
    if (response.content || response.type === 'null')
      responses[status] = { ...response, ...described, description: (response.description as string | undefined) ?? described.description };
    else responses[status] = { ...described, content: { 'application/json': { schema: response } } };
  }
  for (const [status, names] of [...problems].sort(([a], [b]) => a - b)) responses[status] = problemResponse(names);
  schema.response = responses;
  return transformed;
}

function collectRefs(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.add(inner.replace('#/components/schemas/', ''));
      else collectRefs(inner, found);
    }
  }
}

/**
 * jsonSchemaTransformObject, keeping only the components some operation uses: it writes an
 * input and an output copy of every schema with an id, wanted or not.
 */
export function openApiTransformObject(input: Parameters<typeof jsonSchemaTransformObject>[0]) {
  const document = jsonSchemaTransformObject(input) as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const schemas = document.components?.schemas ?? {};
  const used = new Set<string>();
  collectRefs(document.paths, used);
  for (let pending = [...used]; pending.length > 0;) {
    const next = new Set<string>();
    for (const id of pending) collectRefs(schemas[id], next);
    pending = [...next].filter((id) => !used.has(id));
    for (const id of pending) used.add(id);
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([id]) => used.has(id)));
  return { ...document, components: { ...document.components, schemas: kept } } as ReturnType<typeof jsonSchemaTransformObject>;
}
