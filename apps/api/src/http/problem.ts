export type FieldError = Readonly<{ field: string; message: string }>;

/** An RFC 9457 problem detail, as every error answer carries it. */
export type Problem = Readonly<{
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: readonly object[];
}> &
  Readonly<Record<string, unknown>>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Content too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** A problem; `extra` adds its code and any members particular to it (the fields at fault, an import's rows). */
export function problem(status: number, detail: string, extra: Readonly<{ code?: string } & Record<string, unknown>> = {}): Problem {
  const { code: given, ...members } = extra;
  const code = given ?? (TITLES[status] ?? 'error').toLowerCase().replaceAll(' ', '-');
  return { type: `urn:learning-actions:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...members };
}

/**
 * An error a feature throws that says itself how it is answered, so that the error filter, which
 * knows no feature, answers it.
 */
export class AnsweredAsProblem extends Error {
  constructor(
    message: string,
    private readonly answer: Readonly<{ status: number; code?: string; members?: Readonly<Record<string, unknown>> }>,
  ) {
    super(message);
  }

  asProblem(): Problem {
    return problem(this.answer.status, this.message, { code: this.answer.code, ...this.answer.members });
  }
}

/** A request that failed validation, with one entry per field at fault. */
export class ValidationFailed extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export type ProblemReply = {
  status(code: number): ProblemReply;
  header(name: string, value: string): ProblemReply;
  send(body: unknown): unknown;
};

/** Sends a problem as the answer; a 401 also says which scheme to authenticate with. */
export function sendProblem(reply: ProblemReply, body: Problem): void {
  reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE);
  if (body.status === 401) reply.header('www-authenticate', 'Bearer');
  reply.send(body);
}
