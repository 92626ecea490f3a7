export type DomainErrorKind = 'not-found' | 'conflict' | 'forbidden' | 'invalid';

/** A refusal by the domain. `code` is stable and machine-readable; the message is for people. */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  readonly kind = 'not-found';
}

/** The command is not allowed in the current state. */
export class StateConflict extends DomainError {
  readonly kind = 'conflict';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

export class InvalidCommand extends DomainError {
  readonly kind = 'invalid';
}
