import type { FastifyError, FastifyInstance } from 'fastify';
import { sendProblem, toProblem } from '../http/error-handler.ts';
import { NotFoundProblem, RETRY_AFTER_SECONDS } from '../shared/problems.ts';
import { page } from './access.ts';
import { renderPage } from './render.ts';

const CSRF_CODES = new Set(['FST_CSRF_MISSING_SECRET', 'FST_CSRF_INVALID_TOKEN']);

export interface TooManyRequests extends Error {
  readonly statusCode: 429;
  readonly retryMinutes: number;
}

/** What a person reads for each kind of failure; never a stack trace or SQL. */
function explain(error: unknown): { status: number; heading: string; text: string } {
  const code = (error as Partial<FastifyError>).code;
  if (typeof code === 'string' && CSRF_CODES.has(code)) {
    return {
      status: 403,
      heading: 'This form could not be accepted',
      text: 'The form was out of date or did not come from Ringfence. Go back, reload the page and try again.',
    };
  }
  if ((error as Partial<TooManyRequests>).statusCode === 429) {
    const minutes = (error as Partial<TooManyRequests>).retryMinutes ?? 1;
    return { status: 429, heading: 'Too many attempts', text: `Too many attempts from this connection. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` };
  }
  const problem = toProblem(error);
  if (problem.status === 404)
    return {
      status: 404,
      heading: 'Page not found',
      text: 'If you typed the web address, check it is correct. If you followed a link, the record may not exist or may belong to another organisation.',
    };
  if (problem.status === 403) return { status: 403, heading: 'You cannot do this', text: problem.detail };
  if (problem.status === 503) return { status: 503, heading: 'Sorry, the service is unavailable', text: problem.detail };
  if (problem.status < 500) return { status: problem.status, heading: problem.title, text: problem.detail };
  return { status: 500, heading: 'Sorry, there is a problem with the service', text: 'Try again later. The problem has been logged.' };
}

/** The pages' own error handler: an HTML page, where the API answers problem+json. */
export function registerPageErrors(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    const page = explain(error);
    if (page.status >= 500) request.log.error({ err: error }, 'page failed');
    if (page.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    else request.log.info({ status: page.status }, 'page refused');
    return renderPage(request, reply, 'error', { heading: page.heading, text: page.text, requestId: request.id }, page.status);
  });
}

/**
 * A person who mistypes an address gets a GOV.UK "page not found", where the root's not-found
 * handler would answer problem+json. Only GETs outside /api: a script calling an unknown API
 * route still gets the API's problem, as before.
 */
export function registerPageNotFound(app: FastifyInstance): void {
  app.get('/*', { config: { page: page.public } }, async (request, reply) => {
    if (request.url === '/api' || request.url.startsWith('/api/')) return sendProblem(reply, request, new NotFoundProblem('route'));
    const shown = explain(new NotFoundProblem());
    return renderPage(request, reply, 'error', { heading: shown.heading, text: shown.text, requestId: request.id }, 404);
  });
}
