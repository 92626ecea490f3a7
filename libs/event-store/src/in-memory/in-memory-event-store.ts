import {
  AppendOptions,
  AppendResult,
  EventStore,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyRecord,
  JsonObject,
  LogFilter,
  LogHead,
  NewEvent,
  RecordedEvent,
  StreamAppend,
  StreamRead,
  matchesLogFilter,
} from '../event-store.port';
import { planAppends } from '../append-plan';
import { GENESIS_HASH } from '../hash-chain';

/** An event with data and metadata as they come back from a JSON column: copies, without undefined properties. */
const asStored = (event: NewEvent): NewEvent => ({
  ...event,
  ...JSON.parse(JSON.stringify({ data: event.data, metadata: event.metadata })),
});

/** The store in one process's memory, for fast tests of code above the port. Same contract as the others. */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly eventIds = new Set<string>();
  private readonly claims = new Map<string, IdempotencyRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('An append needs at least one event.');
    const [outcome] = this.write([{ streamId, events, options }]);
    return outcome;
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return this.write(appends);
  }

  /** Writes the appends if every one is accepted; otherwise throws the first refusal, having written nothing. */
  private write(appends: readonly StreamAppend[]): AppendResult[] {
    const last = this.log.at(-1);
    const tip = { position: BigInt(this.log.length), hash: last?.hash ?? GENESIS_HASH, recordedAt: last?.recordedAt ?? new Date(0) };
    const recordedAt = new Date(Math.max(this.now().getTime(), tip.recordedAt.getTime()));
    const requests = appends.map((append) => ({ ...append, events: append.events.map(asStored) }));
    const plan = planAppends(tip, recordedAt, requests, {
      versionOf: (stream) => this.streamEvents(stream).length,
      isRecorded: (eventId) => this.eventIds.has(eventId),
      liveClaim: (scope, key) => this.liveClaim(scope, key),
    });
    const refused = plan.outcomes.find((outcome) => outcome instanceof Error);
    if (refused) throw refused;
    for (const { event, ...recorded } of plan.events) {
      this.log.push({ ...recorded, eventId: event.eventId, type: event.type, data: event.data as JsonObject, metadata: event.metadata });
      this.eventIds.add(event.eventId);
    }
    for (const claim of plan.claims) this.claims.set(`${claim.scope}\u0000${claim.key}`, claim);
    return plan.outcomes as AppendResult[];
  }

  async readStream(streamId: string): Promise<StreamRead> {
    const events = this.streamEvents(streamId);
    return { version: events.length, events };
  }

  async readAll(after: bigint, limit: number, filter: LogFilter = {}): Promise<RecordedEvent[]> {
    return this.log
      .slice(Number(after))
      .filter((event) => matchesLogFilter(event, filter))
      .slice(0, limit);
  }

  async findIdempotency(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.liveClaim(scope, key);
  }

  private liveClaim(scope: string, key: string): IdempotencyRecord | undefined {
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
