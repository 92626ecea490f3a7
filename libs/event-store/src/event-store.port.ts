import type { PoolConfig } from 'pg';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };
export type JsonObject = { [key: string]: JsonValue | undefined };

/** An event as the application hands it to the store. */
export type NewEvent = Readonly<{
  eventId: string;
  type: string;
  data: object;
  metadata: JsonObject;
}>;

/** An event as the store recorded it. `position` is its place in the one global order, from 1 with no gaps. */
export type RecordedEvent = Readonly<{
  position: bigint;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: Date;
  hash: string;
}>;

/** Remembers the outcome of a write under a client's Idempotency-Key, stored with the events it produced. */
export type IdempotencyClaim = Readonly<{ scope: string; key: string; fingerprint: string; outcome: JsonObject }>;

export type IdempotencyRecord = IdempotencyClaim & Readonly<{ streamId: string; version: number; position: bigint; createdAt: Date }>;

export type AppendOptions = Readonly<{
  /** The stream's version the events were decided on: 0 for a stream that must not exist yet. */
  expectedVersion: number;
  idempotency?: IdempotencyClaim;
}>;

export type AppendResult = Readonly<{ streamId: string; version: number; position: bigint }>;

export type StreamRead = Readonly<{ version: number; events: RecordedEvent[] }>;

/** Narrows a read of the whole log: recorded from and to (both inclusive), by whom, of which types. */
export type LogFilter = Readonly<{ recordedFrom?: Date; recordedTo?: Date; actor?: string; types?: readonly string[]; streamId?: string }>;

/** Whether an event passes the filter: for stores that filter in this process rather than in a query. */
export const matchesLogFilter = (event: RecordedEvent, { recordedFrom, recordedTo, actor, types, streamId }: LogFilter): boolean =>
  (streamId === undefined || event.streamId === streamId) &&
  (!recordedFrom || event.recordedAt >= recordedFrom) &&
  (!recordedTo || event.recordedAt <= recordedTo) &&
  (actor === undefined || (event.metadata.actor as { sub?: string } | undefined)?.sub === actor) &&
  (types === undefined || types.includes(event.type));

/** How far a read of the log stream by stream has got: the last event it gave. */
export type StreamCursor = Readonly<{ streamId: string; version: number }>;

/**
 * An event as the bytes its hash covers, all but the hash before it: `input` holds 32 bytes for the
 * verifier to fill with that, then the event's `chainedText` in UTF-8. It is valid only while visited.
 */
export type HashInput = Readonly<{ position: bigint; input: Buffer; hash: string }>;

/** Where the log ends: the last position and its hash, kept by the store apart from the events. */
export type LogHead = Readonly<{ position: bigint; hash: string }>;

/** One stream's part of an append to several at once. */
export type StreamAppend = Readonly<{ streamId: string; events: readonly NewEvent[]; options: AppendOptions }>;

export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams in one transaction, all or nothing: every append is checked as a
   * group's are (in order, each seeing those before it), and if any is refused none is written and
   * the first refusal is thrown. One append a stream.
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  readStream(streamId: string): Promise<StreamRead>;
  /** Events with a position after `after`, in global order, at most `limit` of them, optionally filtered. */
  readAll(after: bigint, limit: number, filter?: LogFilter): Promise<RecordedEvent[]>;
  /** A write made under this key within the idempotency window, if any. */
  findIdempotency(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  headPosition(): Promise<bigint>;
  head(): Promise<LogHead>;
  /**
   * The last position recorded at or before the instant (0 before the first event). Recorded
   * times never decrease along the log, so everything up to it is what was recorded by then.
   */
  positionAt(instant: Date): Promise<bigint>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

/**
 * What some stores can do besides the port, each asked for by name where it speeds a job up; the
 * job runs on the port alone where the store cannot.
 */

/** For rebuilding read models: the log read stream by stream. */
export interface StreamOrderedReads {
  /**
   * The events at or below position `until`, stream after stream (the streams in an order of the
   * store's choosing, always the same), each stream's in version order; those after `after`, at
   * most `limit` of them.
   */
  readByStream(until: bigint, after: StreamCursor | undefined, limit: number): Promise<RecordedEvent[]>;
}

/** For verifying the chain fast: the log as hash inputs, without building events. */
export interface HashInputScans {
  /**
   * The events after `after` up to `until`, in global order, each as its hash input, until `visit`
   * answers false. A store may hold an event in a form it cannot render exactly (JSON stored before
   * it kept canonical text); that input then does not hash, and the verifier checks the event itself.
   */
  scanHashInputs(after: bigint, until: bigint, visit: (event: HashInput) => boolean): Promise<void>;
}

/** For work spread over threads, each opening its own connections to the same PostgreSQL store. */
export interface SharedPostgres {
  /** What a thread needs to connect as this store does: plain settings, which cross to a thread. */
  connectionSettings(): PoolConfig;
}

const offers =
  <Capability>(method: keyof Capability) =>
  <Store extends object>(store: Store): store is Store & Capability =>
    typeof (store as Record<PropertyKey, unknown>)[method] === 'function';

export const readsByStream = offers<StreamOrderedReads>('readByStream');
export const scansHashInputs = offers<HashInputScans>('scanHashInputs');
export const sharesPostgres = offers<SharedPostgres>('connectionSettings');

export class WrongExpectedVersion extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`Stream ${streamId} is at version ${actualVersion}, not the expected ${expectedVersion}.`);
    this.name = 'WrongExpectedVersion';
  }
}

export class DuplicateEventId extends Error {
  constructor(readonly eventId: string) {
    super(`An event with id ${eventId} is already recorded.`);
    this.name = 'DuplicateEventId';
  }
}

/** Another write claimed the same idempotency key first; `record` is what it stored. */
export class IdempotencyKeyTaken extends Error {
  constructor(readonly record: IdempotencyRecord) {
    super(`Idempotency key ${record.key} was already used.`);
    this.name = 'IdempotencyKeyTaken';
  }
}

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
