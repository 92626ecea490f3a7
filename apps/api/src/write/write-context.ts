import { BadRequestException, ExecutionContext, createParamDecorator } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Actor } from '@app/domain';
import { canonicalJson } from '@app/event-store';

/** Everything about a write that comes from the request rather than its body. */
export type WriteContext = Readonly<{
  actor: Actor;
  correlationId: string;
  /** The stream version the client last saw (If-Match); the write is refused with 412 if the stream moved on. */
  expectedVersion?: number;
  idempotency?: Readonly<{ key: string; fingerprint: string }>;
  /**
   * The day the change happened, when that is not the day it is recorded: an imported plan's history.
   * It dates the command and is kept with its events as `occurredOn`.
   */
  occurredOn?: string;
}>;

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

type WriteRequest = {
  method: string;
  url: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  actor: Actor;
  correlationId: string;
};

function header(request: WriteRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(value);
  if (!match) throw new BadRequestException('If-Match must be a stream version, e.g. If-Match: "3".');
  return Number(match[1]);
}

function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new BadRequestException(`Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
  }
  return value;
}

export const Write = createParamDecorator((_: unknown, context: ExecutionContext): WriteContext => {
  const request = context.switchToHttp().getRequest<WriteRequest>();
  const key = parseIdempotencyKey(header(request, 'idempotency-key'));
  const fingerprint = () =>
    createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? {})}`)
      .digest('hex');
  return {
    actor: request.actor,
    correlationId: request.correlationId,
    expectedVersion: parseIfMatch(header(request, 'if-match')),
    idempotency: key === undefined ? undefined : { key, fingerprint: fingerprint() },
  };
});
