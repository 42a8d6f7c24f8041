/**
 * Domain errors. Handlers map these to HTTP statuses in one place
 * (functions/shared/http.ts); the domain itself knows nothing of HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

/** A write raced another one: the caller's version is stale. */
export class VersionConflictError extends DomainError {
  constructor(readonly current: unknown) {
    super('version_conflict', 'The ticket was changed by someone else; reload it and try again');
  }
}

/** Well-formed input that the rules of the domain refuse (e.g. an illegal status change). */
export class RuleViolationError extends DomainError {}

/** The caller's rights do not cover this action (e.g. taking a ticket above their level). */
export class ForbiddenError extends DomainError {}
