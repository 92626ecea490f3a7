import type { EventStoreDBClient, JSONRecordedEvent, ResolvedEvent } from '@eventstore/db-client';
import { planAppends } from '../append-plan';
import { AppendQueue, PendingAppend, settle } from '../append-queue';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  IdempotencyRecord,
  LogFilter,
  LogHead,
  NewEvent,
  RecordedEvent,
  StreamAppend,
  StreamRead,
  matchesLogFilter,
} from '../event-store.port';
import { LogIndex } from './log-index';
import { LOG_STREAM, expectedLogRevision, fromLogEvent, logRevisionOf, toEventData } from './log-mapping';

/**
 * The gRPC client, loaded when an EventStoreDB store is first used: it costs about 20 MB of memory
 * that a service keeping its events in PostgreSQL, and each of its threads, should not carry.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would load it with the module
const eventStoreDbClient = (): typeof import('@eventstore/db-client') => require('@eventstore/db-client');

export type EventStoreDbEventStoreOptions = Readonly<{
  /** The stream that holds the log; one per service (and per test). */
  logStream?: string;
  maxBatch?: number;
  idempotencyWindowMs?: number;
  /** Told the size of every committed group, for metrics. */
  onCommit?: (appends: number, events: number) => void;
  now?: () => Date;
}>;

/** Times an append is re-planned after another process moved the log on, before it gives up. */
const MAX_REPLANS = 50;
const READ_PAGE = 1000;

/**
 * The events in EventStoreDB, behind the same port as PostgreSQL (see docs/eventstoredb.md).
 *
 * All events go to one stream, the log, appended at an expected revision of it: positions are its
 * revisions plus one (gap-free), the chain is computed against the tip each append expects, and a
 * writer in another process that moved the log first makes EventStoreDB refuse the append, after
 * which this one catches up and decides again. Which stream each event belongs to, and the rest of
 * what appends check, is kept in memory by following the log.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly appends: AppendQueue;
  private readonly index: LogIndex;
  private readonly now: () => Date;
  private readonly logStream: string;
  private catchingUp?: Promise<void>;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EventStoreDbEventStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.logStream = options.logStream ?? LOG_STREAM;
    this.index = new LogIndex(this.now, options.idempotencyWindowMs);
    this.appends = new AppendQueue((group) => this.commitGroup(group), options.maxBatch ?? 256);
  }

  static connect(url: string, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(eventStoreDbClient().EventStoreDBClient.connectionString(url), options);
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    return this.appends.push({ streamId, events, options });
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const outcomes = await this.write(appends, { allOrNothing: true });
    const refused = outcomes.find((outcome) => outcome instanceof Error);
    if (refused) throw refused;
    return outcomes as AppendResult[];
  }

  async readStream(streamId: string): Promise<StreamRead> {
    await this.catchUp();
    const positions = this.index.positionsOf(streamId);
    const events = await Promise.all(positions.map(async (position) => (await this.readLog(BigInt(position) - 1n, 1))[0]));
    return { version: events.length, events };
  }

  async readAll(after: bigint, limit: number, filter: LogFilter = {}): Promise<RecordedEvent[]> {
    if (Object.values(filter).every((value) => value === undefined)) return this.readLog(after, limit);
    const found: RecordedEvent[] = [];
    for (let from = after; found.length < limit;) {
      const page = await this.readLog(from, READ_PAGE);
      found.push(...page.filter((event) => matchesLogFilter(event, filter)));
      if (page.length < READ_PAGE || (filter.recordedTo && page.at(-1)!.recordedAt > filter.recordedTo)) break;
      from = page.at(-1)!.position;
    }
    return found.slice(0, limit);
  }

  async findIdempotency(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    await this.catchUp();
    return this.index.liveClaim(scope, key);
  }

  async headPosition(): Promise<bigint> {
    return (await this.head()).position;
  }

  async head(): Promise<LogHead> {
    await this.catchUp();
    const { position, hash } = this.index.tip;
    return { position, hash };
  }

  async positionAt(instant: Date): Promise<bigint> {
    await this.catchUp();
    return this.index.positionAt(instant);
  }

  async close(): Promise<void> {
    await this.appends.idle();
    await this.client.dispose();
  }

  private async commitGroup(group: readonly PendingAppend[]): Promise<void> {
    try {
      settle(group, await this.write(group));
    } catch (error) {
      group.forEach((append) => append.reject(error));
    }
  }

  /** The group planned against the log as it stands and written in one append to the log stream; `allOrNothing`: only if every append is accepted. */
  private async write(group: readonly StreamAppend[], { allOrNothing = false } = {}): Promise<(AppendResult | Error)[]> {
    for (let attempt = 0; ; attempt++) {
      await this.catchUp();
      const tip = this.index.tip;
      const recordedAt = new Date(Math.max(this.now().getTime(), tip.recordedAt.getTime()));
      const plan = planAppends(tip, recordedAt, group, this.index);
      if (plan.events.length === 0) return plan.outcomes;
      if (allOrNothing && plan.outcomes.some((outcome) => outcome instanceof Error)) return plan.outcomes;
      const claims = new Map(plan.claims.map((claim) => [claim.position, claim]));
      try {
        await this.client.appendToStream(
          this.logStream,
          plan.events.map((event) => toEventData(event, claims.get(event.position))),
          { expectedRevision: expectedLogRevision(tip.position) },
        );
      } catch (error) {
        // Another process appended first: learn what it wrote, then decide the group again.
        if (error instanceof eventStoreDbClient().WrongExpectedVersionError && attempt < MAX_REPLANS) continue;
        throw error;
      }
      for (const { event, ...recorded } of plan.events) {
        this.index.apply(
          { ...recorded, eventId: event.eventId, type: event.type, data: event.data as RecordedEvent['data'], metadata: event.metadata },
          claims.get(recorded.position),
        );
      }
      this.options.onCommit?.(plan.outcomes.filter((outcome) => !(outcome instanceof Error)).length, plan.events.length);
      return plan.outcomes;
    }
  }

  /** Brings the index up to the end of the log; callers at the same time share one read. */
  private catchUp(): Promise<void> {
    this.catchingUp ??= (async () => {
      for (;;) {
        const events = await this.readLogWithClaims(this.index.tip.position, READ_PAGE);
        for (const { event, claim } of events) this.index.apply(event, claim);
        if (events.length < READ_PAGE) return;
      }
    })().finally(() => (this.catchingUp = undefined));
    return this.catchingUp;
  }

  private async readLog(after: bigint, limit: number): Promise<RecordedEvent[]> {
    return (await this.readLogWithClaims(after, limit)).map(({ event }) => event);
  }

  /** Up to `limit` events after position `after`, in order. */
  private async readLogWithClaims(after: bigint, limit: number) {
    const read: ReturnType<typeof fromLogEvent>[] = [];
    try {
      const events = this.client.readStream(this.logStream, { fromRevision: logRevisionOf(after + 1n), maxCount: limit });
      for await (const resolved of events as AsyncIterable<ResolvedEvent>) {
        if (resolved.event) read.push(fromLogEvent(resolved.event as JSONRecordedEvent));
      }
    } catch (error) {
      if (error instanceof eventStoreDbClient().StreamNotFoundError) return read;
      throw error;
    }
    return read;
  }
}
