import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { EVENT_STORE, EventStore, LogFilter, RecordedEvent } from '@app/event-store';
import { AuditCheckpoint } from '@app/audit';
import { isLogPosition } from '../http/fields';
import { ValidationFailed } from '../http/problem';
import { ReadRequest } from '../http/read-request';
import { ReadRoute } from '../http/routes';
import { AuditCheckpoints } from './audit-checkpoints';
import { AuditEventsRequest } from './audit.request.dto';
import { LogVerification } from './log-verification';
import { SIGNING_KEY, SigningKey } from './signing-key';
import { AuditEventsPage, ListAuditEventsQuery } from './audit-events.query';
import { QueryBus } from '@nestjs/cqrs';

export class AuditEventView {
  @ApiProperty() position!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty() version!: number;
  @ApiProperty() eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: Object }) data!: object;
  @ApiProperty({ type: Object, description: 'actor (sub, name, roles, partner), correlation and causation ids, schema version' })
  metadata!: object;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ description: 'SHA-256 chaining this event to every one before it' }) hash!: string;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEventView] }) items!: AuditEventView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class FaultView {
  @ApiProperty() position!: string;
  @ApiProperty({ type: String, nullable: true }) stream!: string | null;
  @ApiProperty({ enum: ['missing', 'altered', 'truncated', 'unexpected', 'checkpoint-mismatch', 'checkpoint-signature'] }) reason!: string;
  @ApiProperty() detail!: string;
}

export class VerificationView {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Events whose hashes were recomputed and found right' }) checked!: number;
  @ApiProperty({ description: 'Signed checkpoints the log was checked against' }) checkpoints!: number;
  @ApiProperty({ type: FaultView, required: false }) firstBad?: FaultView;
}

class PublicKeyView {
  @ApiProperty({ example: 'Ed25519' }) algorithm!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'SPKI, PEM' }) publicKey!: string;
}

class CheckpointView {
  @ApiProperty() position!: string;
  @ApiProperty() hash!: string;
  @ApiProperty({ format: 'date-time' }) signedAt!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'Ed25519 over the RFC 8785 JSON of {position, hash, time}, base64' }) signature!: string;
}

const NDJSON = 'application/x-ndjson';
const PAGE = 1000;

const toView = (event: RecordedEvent): AuditEventView => ({
  position: event.position.toString(),
  streamId: event.streamId,
  version: event.version,
  eventId: event.eventId,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  recordedAt: event.recordedAt.toISOString(),
  hash: event.hash,
});

const encodeCursor = (position: bigint) => Buffer.from(`e${position}`).toString('base64url');
function decodeCursor(cursor: string | undefined): bigint {
  if (cursor === undefined) return 0n;
  const match = /^e(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match || !isLogPosition(match[1]))
    throw new ValidationFailed([{ field: 'cursor', message: 'must be a nextCursor from an earlier page' }]);
  return BigInt(match[1]);
}

type Reply = { header(name: string, value: string): Reply };

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: AuditCheckpoints,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    private readonly verification: LogVerification,
    private readonly queries: QueryBus,
  ) {}

  @Get('events')
  @ReadRoute({
    summary: 'Every event in global order, who recorded it and when; the whole log as NDJSON with Accept: application/x-ndjson',
    permission: 'readAuditLog',
    type: AuditPageView,
    notFound: false,
  })
  async events(
    @Query() request: AuditEventsRequest,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<AuditPageView | Readable> {
    const filter: LogFilter = {
      recordedFrom: request.from ? new Date(request.from) : undefined,
      recordedTo: request.to ? new Date(request.to) : undefined,
      actor: request.actor,
      streamId: request.stream,
    };
    const after = decodeCursor(request.cursor);
    if (accept?.includes(NDJSON)) {
      reply.header('content-type', NDJSON);
      return Readable.from(this.lines(after, filter));
    }
    const page: AuditEventsPage = await this.queries.execute(new ListAuditEventsQuery(filter, after, request.limit ?? 100));
    return { items: page.events.map(toView), nextCursor: page.nextAfter === undefined ? null : encodeCursor(page.nextAfter) };
  }

  @Get('verify')
  @ReadRoute({
    summary: 'Recompute the hash chain against the log head and the signed checkpoints; name the first bad position',
    permission: 'readAuditLog',
    type: VerificationView,
    notFound: false,
  })
  async verify(@Query() _read: ReadRequest): Promise<VerificationView> {
    const { verification, checkpoints } = await this.verification.verify();
    const { ok, checked, firstBad } = verification;
    return { ok, checked, checkpoints: checkpoints.length, ...(firstBad && { firstBad }) };
  }

  @Get('public-key')
  @ReadRoute({
    summary: 'The public key that verifies the signed checkpoints',
    permission: 'readPublicKey',
    type: PublicKeyView,
    notFound: false,
  })
  publicKey(@Query() _read: ReadRequest): PublicKeyView {
    return {
      algorithm: 'Ed25519',
      keyId: this.key.keyId,
      publicKey: this.key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }

  @Get('checkpoints')
  @ReadRoute({
    summary: 'Every signed checkpoint, oldest first: keep them to verify the log later',
    permission: 'readAuditLog',
    type: [CheckpointView],
    notFound: false,
  })
  list(@Query() _read: ReadRequest): Promise<AuditCheckpoint[]> {
    return this.checkpoints.all();
  }

  /** The log as one JSON object per line, read a page at a time: memory does not grow with the log. */
  private async *lines(after: bigint, filter: LogFilter): AsyncGenerator<string> {
    for (
      let page = await this.store.readAll(after, PAGE, filter);
      page.length > 0;
      page = await this.store.readAll(page[page.length - 1].position, PAGE, filter)
    ) {
      yield page.map((event) => `${JSON.stringify(toView(event))}\n`).join('');
    }
  }
}
