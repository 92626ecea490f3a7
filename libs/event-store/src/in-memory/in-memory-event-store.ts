import {
  AppendOptions,
  AppendResult,
  DuplicateEventId,
  EventStore,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyKeyTaken,
  IdempotencyRecord,
  LogFilter,
  LogHead,
  NewEvent,
  RecordedEvent,
  StreamRead,
  WrongExpectedVersion,
} from '../event-store.port';
import { GENESIS_HASH, chainHash } from '../hash-chain';

/** Data and metadata as they come back from a JSON column: copies, without undefined properties. */
const asStored = (event: NewEvent): Pick<RecordedEvent, 'data' | 'metadata'> =>
  JSON.parse(JSON.stringify({ data: event.data, metadata: event.metadata }));

/** The store in one process's memory, for fast tests of code above the port. Same contract as the others. */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly eventIds = new Set<string>();
  private readonly claims = new Map<string, IdempotencyRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('An append needs at least one event.');
    const actual = this.streamEvents(streamId).length;
    if (actual !== options.expectedVersion) throw new WrongExpectedVersion(streamId, options.expectedVersion, actual);
    const duplicate = events.find(
      (event, index) => this.eventIds.has(event.eventId) || events.findIndex((e) => e.eventId === event.eventId) !== index,
    );
    if (duplicate) throw new DuplicateEventId(duplicate.eventId);
    const claim = options.idempotency;
    const taken = claim && (await this.findIdempotency(claim.scope, claim.key));
    if (taken) throw new IdempotencyKeyTaken(taken);

    const recordedAt = new Date(Math.max(this.now().getTime(), this.log.at(-1)?.recordedAt.getTime() ?? 0));
    let version = actual;
    for (const event of events) {
      const position = BigInt(this.log.length + 1);
      version += 1;
      const stored = { position, streamId, version, recordedAt, eventId: event.eventId, type: event.type, ...asStored(event) };
      this.log.push({ ...stored, hash: chainHash(this.log.at(-1)?.hash ?? GENESIS_HASH, stored) });
      this.eventIds.add(event.eventId);
    }
    const result = { streamId, version, position: BigInt(this.log.length) };
    if (claim) this.claims.set(`${claim.scope}\u0000${claim.key}`, { ...claim, ...result, createdAt: recordedAt });
    return result;
  }

  async readStream(streamId: string): Promise<StreamRead> {
    const events = this.streamEvents(streamId);
    return { version: events.length, events };
  }

  async readAll(after: bigint, limit: number, filter: LogFilter = {}): Promise<RecordedEvent[]> {
    const { recordedFrom, recordedTo, actor } = filter;
    return this.log
      .slice(Number(after))
      .filter(
        (event) =>
          (!recordedFrom || event.recordedAt >= recordedFrom) &&
          (!recordedTo || event.recordedAt <= recordedTo) &&
          (actor === undefined || (event.metadata.actor as { sub?: string } | undefined)?.sub === actor),
      )
      .slice(0, limit);
  }

  async findIdempotency(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.claims.get(`${scope}\u0000${key}`);
    return record && this.now().getTime() - record.createdAt.getTime() < IDEMPOTENCY_WINDOW_MS ? record : undefined;
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.log.length);
  }

  async head(): Promise<LogHead> {
    return { position: BigInt(this.log.length), hash: this.log.at(-1)?.hash ?? GENESIS_HASH };
  }

  async positionAt(instant: Date): Promise<bigint> {
    return BigInt(this.log.filter((event) => event.recordedAt <= instant).length);
  }

  async close(): Promise<void> {}

  private streamEvents(streamId: string): RecordedEvent[] {
    return this.log.filter((event) => event.streamId === streamId);
  }
}
