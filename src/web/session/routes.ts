import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, seeOther, setFlash, webUserOf } from '../access.ts';
import type { TooManyRequests } from '../errors.ts';
import { type FormErrors, formValues } from '../forms.ts';
import { renderPage } from '../render.ts';
import { safeRedirectPath } from './redirect.ts';
import { MIN_PASSWORD_LENGTH, verifyPassword } from '../../auth/passwords.ts';
import {
  admitSignInAttempt,
  endEveryWebSession,
  endWebSession,
  LOCKOUT,
  recordFailedSignIn,
  recordSuccessfulSignIn,
  signInLockSeconds,
  startWebSession,
} from '../../auth/sign-in.ts';
import { findPasswordLink, findSignInCandidate, revokeSessions, setPassword, usePasswordLink } from '../../auth/users-service.ts';

const error = (field: string, text: string): FormErrors => ({ list: [{ text, href: `#${field}` }], fields: { [field]: { text } } });

const minutesIn = (seconds: number): number => Math.max(1, Math.ceil(seconds / 60));

/** The same words for every email, known or not: the lock must not tell which accounts exist. */
function lockedMessage(seconds: number): string {
  const minutes = minutesIn(seconds);
  return `Too many failed attempts to sign in with this email address from this connection (${LOCKOUT.failures} or more). Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/**
 * The shared limit on attempts from one address, counted in PostgreSQL before anything else
 * (even a form without its CSRF token), so no instance and no kind of request escapes it.
 */
async function limitSignInAttempts(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const refused = await admitSignInAttempt(request.server.db, request.ip);
  if (!refused) return;
  reply.header('retry-after', String(refused.retryAfterSeconds));
  throw Object.assign(new Error('Too many sign-in attempts'), { statusCode: 429 as const, retryMinutes: minutesIn(refused.retryAfterSeconds) }) satisfies TooManyRequests;
}

function audit(request: FastifyRequest) {
  return { actorId: webUserOf(request).userId, requestId: request.id };
}

export async function sessionPages(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { next?: string; signedOut?: string; passwordSet?: string } }>('/sign-in', { config: { page: page.public } }, async (request, reply) => {
    if (request.webUser) return seeOther(reply, safeRedirectPath(request.query.next));
    const { query } = request;
    return renderPage(request, reply, 'sign-in', { next: safeRedirectPath(query.next), signedOut: query.signedOut === '1', passwordSet: query.passwordSet === '1', values: {} });
  });

  app.post('/sign-in', { config: { page: page.public }, onRequest: limitSignInAttempts }, async (request, reply) => {
    const values = formValues(request.body);
    const next = safeRedirectPath(values.next);
    const show = (errors: FormErrors, status: number) => renderPage(request, reply, 'sign-in', { next, values: { email: values.email }, errors }, status);
    const locked = (seconds: number) => {
      reply.header('retry-after', String(seconds));
      return show(error('password', lockedMessage(seconds)), 423);
    };
    if (!values.email) return show(error('email', 'Enter your email address'), 400);
    if (!values.password) return show(error('password', 'Enter your password'), 400);

    // Known email or not, the same steps in the same order: the lock, one argon2 verification
    // (of a decoy hash for an unknown email), one failure counted. Nothing tells them apart.
    const lockSeconds = await signInLockSeconds(app.db, values.email, request.ip);
    if (lockSeconds !== null) return locked(lockSeconds);
    const candidate = await findSignInCandidate(app.db, values.email);
    const matches = await verifyPassword(candidate?.passwordHash ?? null, values.password);
    if (!candidate || !matches) {
      const nowLockedFor = await recordFailedSignIn(app.db, values.email, request.ip);
      request.log.info({ userKnown: Boolean(candidate) }, 'sign-in refused');
      if (nowLockedFor !== null) return locked(nowLockedFor);
      return show(error('email', 'Enter a correct email address and password'), 401);
    }
    await recordSuccessfulSignIn(app.db, values.email, request.ip);
    const previous = request.session.get('sessionId');
    if (previous) await endWebSession(app.db, previous);
    // A new session on sign-in, so a session planted before it (fixation) gains nothing.
    request.session.regenerate();
    request.session.set('sessionId', await startWebSession(app.db, candidate.id));
    request.session.set('userId', candidate.id);
    request.session.set('epoch', candidate.sessionEpoch);
    return seeOther(reply, next);
  });

  app.post('/sign-out', { config: { page: page.public } }, async (request, reply) => {
    // Ended on the server, not only forgotten by this browser: a copy of the cookie dies too.
    const sessionId = request.session.get('sessionId');
    if (sessionId) await endWebSession(app.db, sessionId);
    request.session.delete();
    return seeOther(reply, '/sign-in?signedOut=1');
  });

  app.get('/account', { config: { page: page.signedIn } }, async (request, reply) => renderPage(request, reply, 'account', { values: {}, minLength: MIN_PASSWORD_LENGTH }));

  app.post('/account/password', { config: { page: page.signedIn } }, async (request, reply) => {
    const user = webUserOf(request);
    const values = formValues(request.body);
    const show = (errors: FormErrors) => renderPage(request, reply, 'account', { errors, values: {}, minLength: MIN_PASSWORD_LENGTH }, 400);
    const candidate = await findSignInCandidate(app.db, user.email);
    if (!values.currentPassword || !(await verifyPassword(candidate?.passwordHash ?? null, values.currentPassword))) {
      return show(error('currentPassword', 'Enter your current password correctly'));
    }
    const problem = newPasswordProblem(values.newPassword, values.confirmPassword);
    if (problem) return show(problem);
    const epoch = await setPassword(app.db, audit(request), user.userId, values.newPassword!);
    // Every other session is now revoked; this one carries the new epoch and stays.
    request.session.set('epoch', epoch);
    setFlash(request, 'Your password has been changed', 'You have been signed out on every other device.');
    return seeOther(reply, '/account');
  });

  // A new member's one-time link: they choose their password here, signed out. An unknown, used
  // or expired link answers alike, 404, so the page tells nobody which links once existed.
  type LinkParams = { Params: { secret: string } };
  const showLink = (request: FastifyRequest, reply: FastifyReply, person: { name: string; email: string }, errors?: FormErrors) =>
    renderPage(request, reply, 'set-password', { person, minLength: MIN_PASSWORD_LENGTH, errors }, errors ? 400 : 200);

  app.get<LinkParams>('/set-password/:secret', { config: { page: page.public } }, async (request, reply) => {
    const person = await findPasswordLink(app.db, request.params.secret, app.clock.now());
    if (!person) throw new NotFoundProblem('set-password link');
    return showLink(request, reply, person);
  });

  app.post<LinkParams>('/set-password/:secret', { config: { page: page.public } }, async (request, reply) => {
    const now = app.clock.now();
    const person = await findPasswordLink(app.db, request.params.secret, now);
    if (!person) throw new NotFoundProblem('set-password link');
    const values = formValues(request.body);
    const problem = newPasswordProblem(values.newPassword, values.confirmPassword);
    if (problem) return showLink(request, reply, person, problem);
    if (!(await usePasswordLink(app.db, request.id, request.params.secret, values.newPassword!, now))) throw new NotFoundProblem('set-password link');
    return seeOther(reply, '/sign-in?passwordSet=1');
  });

  app.post('/account/sign-out-everywhere', { config: { page: page.signedIn } }, async (request, reply) => {
    const userId = webUserOf(request).userId;
    await revokeSessions(app.db, audit(request), userId);
    await endEveryWebSession(app.db, userId);
    request.session.delete();
    return seeOther(reply, '/sign-in?signedOut=1');
  });
}

/** The rule for a new password a person chooses (administrators hand out generated ones). */
function newPasswordProblem(password: string | undefined, confirmation: string | undefined, field = 'newPassword'): FormErrors | null {
  if (!password || password.length < MIN_PASSWORD_LENGTH) return error(field, `The new password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 200) return error(field, 'The new password must be at most 200 characters');
  if (confirmation !== undefined && confirmation !== password) return error('confirmPassword', 'The passwords do not match');
  return null;
}
