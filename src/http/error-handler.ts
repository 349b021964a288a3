import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { JsonBodyError } from './json-body.ts';
import { type FieldError, NotFoundProblem, Problem, PROBLEM_TYPE_BASE, RETRY_AFTER_SECONDS, UnavailableProblem, ValidationProblem } from '../shared/problems.ts';

/** SQLSTATE classes and socket errors that mean "the database is not there", not "the request is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  // admin_shutdown, crash_shutdown, cannot_connect_now
  '57P01',
  '57P02',
  '57P03',
  // connection exceptions
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  // too_many_connections; object_not_in_prerequisite_state (a database not accepting connections)
  '53300',
  '55000',
]);

/**
 * SQLSTATEs that mean "the database is busy", not broken: a lock waited for past lock_timeout
 * (55P03) or a statement past statement_timeout (57014, which the server also uses when it
 * cancels a query). The caller may retry shortly.
 */
const BUSY_CODES = new Set(['55P03', '57014']);

function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  // pg's own words for a connection that never came (connectionTimeoutMillis), went away, or
  // stopped answering (query_timeout).
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(error.message);
}

function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BUSY_CODES.has(code);
}

function fieldPath(instancePath: string, context: string | undefined): string {
  const inner = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  if (context === 'body' || context === undefined) return inner || 'body';
  return inner ? inner : context;
}

type ZodIssueParams = { keys?: unknown };

/** The schema's refusals, one per bad field (exported for routes that add their own checks to them). */
export function validationErrors(error: FastifyError & { validation: { keyword?: string; instancePath: string; message?: string; params?: ZodIssueParams }[] }): FieldError[] {
  const context = (error as { validationContext?: string }).validationContext;
  const errors: FieldError[] = [];
  for (const item of error.validation) {
    const keys = item.params?.keys;
    if (item.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      // One entry per unknown field, so a typo is named, not just "the body".
      const parent = item.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
      for (const key of keys) {
        errors.push({ path: parent ? `${parent}.${String(key)}` : String(key), message: 'is not a field this request accepts' });
      }
      continue;
    }
    errors.push({ path: fieldPath(item.instancePath, context), message: item.message ?? 'is not valid' });
  }
  return errors;
}

/**
 * SQLSTATEs that mean the request carried a value PostgreSQL cannot hold: a NUL in text or
 * JSON (22021, 22P05), a day that is no day (22007, 22008), a number past its column
 * (22003). The schemas refuse these first; this is the backstop, so a path they miss is
 * still the caller's 400, not our 500.
 */
const UNSTORABLE_VALUES: Record<string, string> = {
  '22021': 'must not contain NUL characters',
  '22P05': 'must not contain NUL characters',
  '22007': 'holds a date that does not exist',
  '22008': 'holds a date that does not exist',
  '22003': 'holds a number too large to keep',
};

function unstorableValue(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && Object.hasOwn(UNSTORABLE_VALUES, code) ? UNSTORABLE_VALUES[code] : undefined;
}

/** Turns anything thrown into a Problem; never lets a stack trace or SQL reach the body. */
export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) return new ValidationProblem(validationErrors(error));
  if (error instanceof JsonBodyError) return new ValidationProblem([{ path: error.path, message: error.message }], 'The request body is not a JSON document this service takes.');
  if (isDatabaseUnavailable(error)) return new UnavailableProblem();
  if (isDatabaseBusy(error)) return new UnavailableProblem('The records this request needs are busy with other work. Try again shortly.');
  const unstorable = unstorableValue(error);
  if (unstorable) return new ValidationProblem([{ path: 'body', message: unstorable }], 'The request carries a value that cannot be stored.');
  if ((error as { constraint?: unknown }).constraint === 'ringfence_category_cap') {
    // The database's backstop caught what the service's check should have: still the rule.
    return new Problem('cap-exceeded', 422, 'This would break the grant cap', 'The change would take a capped category past its cap.');
  }
  if ((error as { constraint?: unknown }).constraint === 'ringfence_allocation') {
    return new Problem('over-allocation', 422, 'This would spend more than the allocation', "The change would leave the grant's spend above its allocation.");
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ValidationProblem([{ path: 'body', message: 'must be a JSON document' }], 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem('unsupported-media-type', 415, 'Unsupported media type', 'This route does not accept a body of that content type; see the API documentation at /docs.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem('payload-too-large', 413, 'Request too large', 'The request body is larger than this route accepts.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new Problem('validation', 414, 'Address too long', 'A part of the address is longer than any id or code this service uses.');
    case 'FST_ERR_VALIDATION':
      return new ValidationProblem([{ path: 'body', message: fastifyError.message ?? 'is not valid' }]);
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && !isResponseSerializationError(error)) {
    if (status === 404) return new NotFoundProblem();
    if (status === 429) return new Problem('too-many-requests', 429, 'Too many requests', 'Slow down and try again shortly.');
    return new Problem('validation', status, 'Bad request', fastifyError.message ?? 'The request could not be processed.');
  }
  return new Problem('internal', 500, 'Internal error', 'Something went wrong on our side. It has been logged with the request id.');
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem): FastifyReply {
  if (problem.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply
    .status(problem.status)
    .type('application/problem+json')
    .send({
      type: `${PROBLEM_TYPE_BASE}${problem.name}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: request.url.split('?')[0],
      requestId: request.id,
      ...problem.extensions,
    });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ problem: problem.name, status: problem.status }, 'request refused');
    }
    return sendProblem(reply, request, problem);
  });
  const allowedMethods = methodsByPath(app);
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(request.url.split('?')[0] ?? '/');
    if (allowed.length === 0) return sendProblem(reply, request, new NotFoundProblem('route'));
    reply.header('allow', allowed.join(', '));
    return sendProblem(reply, request, new Problem('method-not-allowed', 405, 'Method not allowed', `This address answers ${allowed.join(', ')} only.`));
  });
}

/**
 * The methods each route path answers, learnt as routes are added, so a method a path lacks
 * is told apart from a path that does not exist (405 with Allow, not 404).
 */
function methodsByPath(app: FastifyInstance): (path: string) => string[] {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const source = route.url
      .replace(/\/$/, '')
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}/?$`), methods: [route.method].flat() });
  });
  return (path) => [...new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods))].sort();
}
