import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError, DomainErrorKind } from '@app/domain';
import { isDatabaseUnavailable } from '@app/event-store';
import { Unauthenticated } from '../auth/token-verifier';
import { ReadModelBehind } from '../read-models/read-position';
import { IdempotencyKeyReused, PreconditionFailed, TooMuchContention } from '../write/write.errors';
import { PROBLEM_CONTENT_TYPE, Problem, ValidationFailed, problem } from './problem';

const DOMAIN_STATUS: Record<DomainErrorKind, number> = { invalid: 400, forbidden: 403, 'not-found': 404, conflict: 409 };

type FastifyError = Error & { statusCode?: number; code?: string };

/** Fastify's own refusals (body too large, bad JSON, wrong content type) carry a 4xx statusCode. */
function isClientErrorFromFastify(error: unknown): error is FastifyError {
  const { statusCode, code } = error as FastifyError;
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode < 500;
}

export function toProblem(error: unknown): Problem {
  if (error instanceof ValidationFailed) return problem(400, 'The request is not valid.', { code: 'validation-failed', errors: error.errors });
  if (error instanceof DomainError) return problem(DOMAIN_STATUS[error.kind], error.message, { code: error.code });
  if (error instanceof Unauthenticated) return problem(401, error.message);
  if (error instanceof PreconditionFailed) return problem(412, error.message, { code: 'version-moved-on' });
  if (error instanceof IdempotencyKeyReused) return problem(422, error.message, { code: 'idempotency-key-reused' });
  if (error instanceof TooMuchContention) return problem(503, error.message, { code: 'contention' });
  if (error instanceof ReadModelBehind) return problem(503, error.message, { code: 'read-model-behind' });
  if (isDatabaseUnavailable(error)) {
    return problem(503, 'The database cannot be reached just now; try again shortly.', { code: 'database-unavailable' });
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'object' && response !== null && 'message' in response ? response.message : response;
    return problem(status, Array.isArray(message) ? message.join('; ') : String(message));
  }
  if (isClientErrorFromFastify(error)) {
    const detail = error.statusCode === 413 ? 'The body is larger than 1 MiB.' : error.message;
    return problem(error.statusCode!, detail);
  }
  return problem(500, 'Something went wrong on our side; it has been logged.');
}

type Reply = { status(code: number): Reply; header(name: string, value: string): Reply; send(body: unknown): void };

/** Every error leaves as application/problem+json, with no stack trace. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const body = toProblem(error);
    if (body.status >= 500) this.logger.error({ err: error, status: body.status }, 'request failed');
    const reply = host.switchToHttp().getResponse<Reply>();
    reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}
