import { AnsweredAsProblem } from '../http/problem';

/** If-Match named a version the stream has moved on from: 412. */
export class PreconditionFailed extends AnsweredAsProblem {
  constructor(readonly currentVersion: number) {
    super(`The resource is at version ${currentVersion}; re-read it and try again with If-Match: "${currentVersion}".`, {
      status: 412,
      code: 'version-moved-on',
    });
  }
}

/** An Idempotency-Key was used before with a different request: 422. */
export class IdempotencyKeyReused extends AnsweredAsProblem {
  constructor() {
    super('This Idempotency-Key was already used with a different request; use a new key for a new request.', {
      status: 422,
      code: 'idempotency-key-reused',
    });
  }
}

/** The stream kept changing under us on every retry: 503, try again later. */
export class TooMuchContention extends AnsweredAsProblem {
  constructor(readonly streamId: string) {
    super('The resource is being changed by many writers at once; try again.', { status: 503, code: 'contention' });
  }
}
