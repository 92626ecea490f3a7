import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError, DomainErrorKind, InvalidEvent } from '@app/domain';
import { isDatabaseUnavailable } from '@app/event-store';
import { AnsweredAsProblem, Problem, ProblemReply, ValidationFailed, problem, sendProblem } from './problem';

const DOMAIN_STATUS: Record<DomainErrorKind, number> = { invalid: 400, forbidden: 403, 'not-found': 404, conflict: 409 };

type FastifyError = Error & { statusCode?: number; code?: string };

const BODY_LIMITS = 'The body is larger than the limit: 1 MiB, or 5 MiB for an action plan to import.';

/** A body refused for its size, by Fastify's parser or by Nest's wrapping of it. */
const isBodyTooLarge = (error: unknown): boolean =>
  (error as FastifyError | undefined)?.statusCode === 413 || (error instanceof HttpException && error.getStatus() === 413);

/** Fastify's own refusals (body too large, bad JSON, wrong content type) carry a 4xx statusCode. */
function isClientErrorFromFastify(error: unknown): error is FastifyError {
  const { statusCode, code } = error as FastifyError;
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode < 500;
}

export function toProblem(error: unknown): Problem {
  if (error instanceof ValidationFailed)
    return problem(400, 'The request is not valid.', { code: 'validation-failed', errors: error.errors });
  if (error instanceof InvalidEvent) return problem(400, error.message, { code: error.code, errors: error.problems });
  if (error instanceof DomainError) return problem(DOMAIN_STATUS[error.kind], error.message, { code: error.code });
  if (error instanceof AnsweredAsProblem) return error.asProblem();
  if (isDatabaseUnavailable(error)) {
    return problem(503, 'The database cannot be reached just now; try again shortly.', { code: 'database-unavailable' });
  }
  if (isBodyTooLarge(error)) return problem(413, BODY_LIMITS);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'object' && response !== null && 'message' in response ? response.message : response;
    return problem(status, Array.isArray(message) ? message.join('; ') : String(message));
  }
  if (isClientErrorFromFastify(error)) {
    return problem(error.statusCode!, error.message);
  }
  return problem(500, 'Something went wrong on our side; it has been logged.');
}

export type ClosableReply = { raw: { destroy(): void } };

/**
 * Runs an error handler's answer; should that fail too (a header Node refuses, a template that
 * throws), the failure is logged and that one response's connection closed: nothing an error
 * handler meets can end the process.
 */
export async function answerOrClose(reply: ClosableReply, logger: Logger, answer: () => unknown): Promise<void> {
  try {
    await answer();
  } catch (failure) {
    logger.error({ err: failure }, 'answering an error failed; the connection is closed');
    reply.raw.destroy();
  }
}

/** A bug is logged with its stack; a 503 the service expects (a database away, a read model behind) in one line. */
export function logFailure(logger: Logger, error: unknown, { status, code, detail }: Pick<Problem, 'status' | 'code' | 'detail'>): void {
  if (status === 500) logger.error({ err: error, status }, 'request failed');
  else if (status > 500) logger.warn({ status, code, detail }, 'request refused for now');
}

type PageReply = ProblemReply & ClosableReply & { viewAsync?: (template: string, context: object) => Promise<string> };
type AnyRequest = { method: string; headers: Record<string, string | string[] | undefined> };

/** A person's browser following an address (no token, asking for HTML), rather than a client of the API. */
const isBrowserVisit = ({ method, headers }: AnyRequest): boolean =>
  method === 'GET' && String(headers.accept ?? '').includes('text/html') && headers.authorization === undefined;

/**
 * Every error leaves as application/problem+json, with no stack trace; but a browser that follows
 * a mistyped address gets the pages' own "Page not found".
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const body = toProblem(error);
    logFailure(this.logger, error, body);
    const reply = host.switchToHttp().getResponse<PageReply>();
    const request = host.switchToHttp().getRequest<AnyRequest>();
    await answerOrClose(reply, this.logger, async () => {
      if (body.status === 404 && reply.viewAsync && isBrowserVisit(request)) {
        const html = await reply.viewAsync('error.njk', { title: 'Page not found', status: 404 });
        reply.status(404).header('content-type', 'text/html; charset=utf-8').send(html);
      } else sendProblem(reply, body);
    });
  }
}
