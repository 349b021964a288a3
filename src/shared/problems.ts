/**
 * Domain errors. Services throw these; one error handler (src/http/error-handler.ts) turns each
 * into an RFC 9457 problem+json body. `type` ends in the problem's name, which the public API fixes.
 */
export type ProblemName =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'cap-exceeded'
  | 'over-allocation'
  | 'outside-financial-year'
  | 'invalid-state'
  | 'email-domain'
  | 'precondition-failed'
  | 'precondition-required'
  | 'idempotency-conflict'
  | 'request-in-flight'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'method-not-allowed'
  | 'too-many-requests'
  | 'unavailable'
  | 'internal';

export const PROBLEM_TYPE_BASE = '/problems/';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class Problem extends Error {
  constructor(
    override readonly name: ProblemName,
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

export class ValidationProblem extends Problem {
  constructor(errors: readonly FieldError[], detail = 'The request has invalid fields; see errors.') {
    super('validation', 400, 'Your request is not valid', detail, { errors });
  }
}

export class UnauthorizedProblem extends Problem {
  constructor(detail = 'Send a valid API token as "Authorization: Bearer <token>".') {
    super('unauthorized', 401, 'Not signed in', detail);
  }
}

export class ForbiddenProblem extends Problem {
  constructor(detail = 'Your role does not allow this.') {
    super('forbidden', 403, 'Not allowed', detail);
  }
}

export class NotFoundProblem extends Problem {
  constructor(what = 'resource') {
    super('not-found', 404, 'Not found', `No such ${what}.`);
  }
}

export class ConflictProblem extends Problem {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super('conflict', 409, 'Conflicts with an existing record', detail, extensions);
  }
}

export class InvalidStateProblem extends Problem {
  constructor(detail: string) {
    super('invalid-state', 422, 'Not allowed in the current state', detail);
  }
}

/** An organisation's admins add only people whose email is in one of its domains. */
export class EmailDomainProblem extends Problem {
  constructor(domain: string, emailDomains: readonly string[]) {
    const allowed = emailDomains.length ? `Its domains are ${emailDomains.join(', ')}.` : 'It has no email domains yet; a platform administrator sets them.';
    super(
      'email-domain',
      422,
      'Email outside the organisation',
      `This organisation's admins may add only people with an email address in its domains; ${domain} is not one. ${allowed}`,
      {
        emailDomains,
      },
    );
  }
}

export class OutsideFinancialYearProblem extends Problem {
  constructor(detail: string, extensions: Record<string, unknown>) {
    super('outside-financial-year', 422, 'Date outside the financial year', detail, extensions);
  }
}

export interface CapExceededDetails {
  readonly category: string;
  readonly maxShare: string;
  readonly cap: string;
  readonly headroom: string;
  readonly attempted: string;
}

export class CapExceededProblem extends Problem {
  constructor(detail: string, details: CapExceededDetails) {
    super('cap-exceeded', 422, 'This would break the grant cap', detail, { ...details });
  }
}

export interface OverAllocationDetails {
  readonly allocation: string;
  readonly spent: string;
  readonly attempted: string;
  readonly remaining: string;
}

/** The grant cannot pay for more than it holds: total spend above the allocation. */
export class OverAllocationProblem extends Problem {
  constructor(detail: string, details: OverAllocationDetails) {
    super('over-allocation', 422, 'This would spend more than the allocation', detail, { ...details });
  }
}

export class PreconditionFailedProblem extends Problem {
  constructor(currentEtag: string) {
    super(
      'precondition-failed',
      412,
      'The record has changed',
      'If-Match does not match the current ETag: someone changed this record since you read it. Read it again and reapply your change.',
      { currentEtag },
    );
  }
}

/** Seconds a client is told to wait before retrying a 503: about as long as a lock or a connection is waited for. */
export const RETRY_AFTER_SECONDS = 5;

export class UnavailableProblem extends Problem {
  constructor(detail = 'The database cannot be reached. Try again shortly.') {
    super('unavailable', 503, 'Service unavailable', detail);
  }
}

export class IdempotencyConflictProblem extends Problem {
  constructor() {
    super('idempotency-conflict', 422, 'Idempotency key reused', 'This Idempotency-Key was already used with a different request. Use a new key for a new request.');
  }
}

export class RequestInFlightProblem extends Problem {
  constructor() {
    super('request-in-flight', 409, 'Request in progress', 'A request with this Idempotency-Key is still being processed. Retry shortly.');
  }
}
