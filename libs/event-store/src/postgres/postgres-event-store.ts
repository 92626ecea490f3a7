import { Pool, PoolConfig } from 'pg';
import {
  AppendOptions,
  AppendResult,
  DuplicateEventId,
  EventStore,
  HashInput,
  HashInputScans,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyKeyTaken,
  IdempotencyRecord,
  JsonObject,
  LogFilter,
  LogHead,
  NewEvent,
  RecordedEvent,
  SharedPostgres,
  StreamAppend,
  StreamCursor,
  StreamOrderedReads,
  StreamRead,
  WrongExpectedVersion,
} from '../event-store.port';
import { canonicalJson } from '../canonical-json';
import { chainedTextAround } from '../hash-chain';
import { AppendQueue, PendingAppend, settle } from '../append-queue';
import { inSlices } from '../breathe';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './rows';
import { scanHashInputs } from './hash-inputs';
import { isDatabaseUnavailable } from './unavailable';

export type PostgresEventStoreOptions = Readonly<{
  /** Most appends committed in one transaction. */
  maxBatch?: number;
  idempotencyWindowMs?: number;
  /** Told the size of every committed group, for metrics. */
  onCommit?: (appends: number, events: number) => void;
}>;

type IdempotencyRow = {
  scope: string;
  key: string;
  fingerprint: string;
  outcome: JsonObject;
  stream_id: string;
  version: number;
  position: string;
  /** A Date from a row, its JSON text from `append_events`. */
  created_at: Date | string;
};

const IDEMPOTENCY_COLUMNS = 'scope, key, fingerprint, outcome, stream_id, version, position, created_at';

const toIdempotencyRecord = (row: IdempotencyRow): IdempotencyRecord => ({
  scope: row.scope,
  key: row.key,
  fingerprint: row.fingerprint,
  outcome: row.outcome,
  streamId: row.stream_id,
  version: row.version,
  position: BigInt(row.position),
  createdAt: new Date(row.created_at),
});

/** Appends to several streams at once go to `append_events` this many at a time, in their one transaction. */
const ATOMIC_SLICE = 100;

const APPEND_EVENTS = `SELECT * FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, make_interval(secs => $14))`;

/** One append's outcome from `append_events`: the version and position it reached, or why it was refused. */
type AppendedRow = {
  appended_version: number | null;
  appended_position: string | null;
  actual_version: number | null;
  duplicate_event_id: string | null;
  claimed: IdempotencyRow | null;
};

function outcomeOf({ streamId, events, options }: StreamAppend, row: AppendedRow): AppendResult | Error {
  if (row.appended_version !== null && row.appended_position !== null) {
    return { streamId, version: row.appended_version, position: BigInt(row.appended_position) };
  }
  if (row.actual_version !== null) return new WrongExpectedVersion(streamId, options.expectedVersion, row.actual_version);
  if (row.duplicate_event_id !== null) {
    // As the append spelled it: the database answers a uuid in its own lower case.
    const duplicate = row.duplicate_event_id;
    return new DuplicateEventId(events.find((event) => event.eventId.toLowerCase() === duplicate)?.eventId ?? duplicate);
  }
  if (row.claimed !== null) return new IdempotencyKeyTaken(toIdempotencyRecord(row.claimed));
  return new Error(`append_events gave no outcome for the append to ${streamId}`);
}

/** Verifies a range on a thread of its own (`verify-range.thread`). */
/**
 * Events in PostgreSQL, in one global order without gaps, each chained to the one before by its hash.
 *
 * Every append takes the single-row log head FOR UPDATE before it assigns positions, so positions are
 * handed out in commit order and a reader of "position > P" can never miss an event that commits late.
 * To make that serialisation cheap, appends that arrive together are committed as one group in one
 * transaction (group commit); each keeps its own expected-version check and its own outcome.
 */
export class PostgresEventStore implements EventStore, StreamOrderedReads, HashInputScans, SharedPostgres {
  private readonly appends: AppendQueue;
  private readonly idempotencyWindowMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.appends = new AppendQueue((group) => this.commitGroup(group), options.maxBatch ?? 256);
    this.idempotencyWindowMs = options.idempotencyWindowMs ?? IDEMPOTENCY_WINDOW_MS;
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    return this.appends.push({ streamId, events, options });
  }

  /**
   * Outside the group commit, in a transaction of its own: `append_events` decides and writes the
   * appends as for a group, a slice at a time (each seeing what the slices before wrote, in the same
   * transaction), and the transaction commits only if every append was accepted. The log head stays
   * locked from the first slice to the commit; between slices the service's event loop goes on.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const client = await this.pool.connect();
    let broken: unknown;
    const outcomes: AppendResult[] = [];
    try {
      await client.query('BEGIN');
      for await (const slice of inSlices(appends, ATOMIC_SLICE)) {
        const { rows } = await client.query<AppendedRow>(APPEND_EVENTS, this.appendArguments(slice));
        for (const [index, row] of rows.entries()) {
          const outcome = outcomeOf(slice[index], row);
          if (outcome instanceof Error) throw outcome;
          outcomes.push(outcome);
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((failure: unknown) => (broken = failure));
      throw error;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
    this.options.onCommit?.(
      appends.length,
      appends.reduce((sum, append) => sum + append.events.length, 0),
    );
    return outcomes;
  }

  async readStream(streamId: string): Promise<StreamRead> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`, [
      streamId,
    ]);
    return { version: rows.length === 0 ? 0 : rows[rows.length - 1].version, events: rows.map(toRecordedEvent) };
  }

  async readAll(after: bigint, limit: number, filter: LogFilter = {}): Promise<RecordedEvent[]> {
    const params: unknown[] = [after.toString(), limit];
    const conditions = ['position > $1'];
    const where = (condition: (param: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(condition(`$${params.length}`));
    };
    if (filter.recordedFrom) where((p) => `recorded_at >= ${p}`, filter.recordedFrom);
    if (filter.recordedTo) where((p) => `recorded_at <= ${p}`, filter.recordedTo);
    if (filter.actor !== undefined) where((p) => `metadata->'actor'->>'sub' = ${p}`, filter.actor);
    if (filter.types !== undefined) where((p) => `type = ANY(${p}::text[])`, filter.types);
    if (filter.streamId !== undefined) where((p) => `stream_id = ${p}`, filter.streamId);
    const { rows } = await this.pool.query<EventRow>({
      // The projection runner's read, batch after batch: each session parses and plans it once.
      name: conditions.length === 1 ? 'read_all' : undefined,
      text: `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT $2`,
      values: params,
    });
    return rows.map(toRecordedEvent);
  }

  async readByStream(until: bigint, after: StreamCursor | undefined, limit: number): Promise<RecordedEvent[]> {
    // Keyset over the (stream_id, version) key: each page an index range, however far the read has got.
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE (stream_id, version) > ($1, $2) AND position <= $3 ORDER BY stream_id, version LIMIT $4`,
      [after?.streamId ?? '', after?.version ?? 0, until.toString(), limit],
    );
    return rows.map(toRecordedEvent);
  }

  async scanHashInputs(after: bigint, until: bigint, visit: (event: HashInput) => boolean): Promise<void> {
    const client = await this.pool.connect();
    let readToTheEnd = false;
    try {
      readToTheEnd = await scanHashInputs(client, after, until, visit);
    } finally {
      client.release(!readToTheEnd);
    }
  }

  connectionSettings(): PoolConfig {
    // Functions do not cross to a thread. The pool keeps a password given on its own out of its
    // enumerable options (and so out of logs); a thread needs it too.
    const { password } = this.pool.options;
    return {
      ...Object.fromEntries(Object.entries(this.pool.options).filter(([, value]) => typeof value !== 'function')),
      ...(typeof password === 'string' ? { password } : {}),
    };
  }

  async findIdempotency(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { rows } = await this.pool.query<IdempotencyRow>(
      `SELECT ${IDEMPOTENCY_COLUMNS} FROM idempotency_keys
        WHERE scope = $1 AND key = $2 AND created_at > now() - make_interval(secs => $3)`,
      [scope, key, this.idempotencyWindowMs / 1000],
    );
    return rows[0] && toIdempotencyRecord(rows[0]);
  }

  async headPosition(): Promise<bigint> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM event_log_head');
    return BigInt(rows[0].position);
  }

  async head(): Promise<LogHead> {
    const { rows } = await this.pool.query<{ position: string; hash: string }>(
      "SELECT position, encode(hash, 'hex') AS hash FROM event_log_head",
    );
    return { position: BigInt(rows[0].position), hash: rows[0].hash };
  }

  async positionAt(instant: Date): Promise<bigint> {
    const { rows } = await this.pool.query<{ position: string }>(
      'SELECT position FROM events WHERE recorded_at <= $1 ORDER BY recorded_at DESC, position DESC LIMIT 1',
      [instant],
    );
    return BigInt(rows[0]?.position ?? 0);
  }

  async close(): Promise<void> {
    await this.appends.idle();
  }

  private async commitGroup(group: readonly PendingAppend[]): Promise<void> {
    let outcomes: (AppendResult | Error)[];
    try {
      outcomes = await this.transact(group);
    } catch (error) {
      // One append that the database refuses must not fail its neighbours: try each on its own.
      if (group.length > 1 && !isDatabaseUnavailable(error)) {
        for (const append of group) await this.commitGroup([append]);
      } else {
        group.forEach((append) => append.reject(error));
      }
      return;
    }
    settle(group, outcomes);
  }

  /**
   * The whole group in one round trip: `append_events` (migration 5) takes the log head, checks each
   * append, chains and writes the accepted events, moves the head and stores the claims, all in the
   * one transaction of a single statement. Round trips, not statements, are what a group waits on.
   */
  private async transact(group: readonly PendingAppend[]): Promise<(AppendResult | Error)[]> {
    const { rows } = await this.pool.query<AppendedRow>({
      name: 'append_events',
      text: APPEND_EVENTS,
      values: this.appendArguments(group),
    });
    const outcomes = rows.map((row, index) => outcomeOf(group[index], row));
    const committed = group.filter((_, index) => !(outcomes[index] instanceof Error));
    if (committed.length > 0)
      this.options.onCommit?.(
        committed.length,
        committed.reduce((sum, append) => sum + append.events.length, 0),
      );
    return outcomes;
  }

  /** `append_events`'s arguments: one element an append, then one an event, in the group's order. */
  private appendArguments(group: readonly StreamAppend[]): unknown[] {
    const claims = group.map((append) => append.options.idempotency);
    const events = group.flatMap(({ streamId, events, options }) =>
      events.map((event, index) => {
        const data = canonicalJson(event.data);
        const metadata = canonicalJson(event.metadata);
        const version = options.expectedVersion + index + 1;
        return {
          event,
          data,
          metadata,
          hashed: chainedTextAround({ streamId, version, eventId: event.eventId, type: event.type, data, metadata }),
        };
      }),
    );
    return [
      group.map((append) => append.streamId),
      group.map((append) => append.options.expectedVersion),
      group.map((append) => append.events.length),
      claims.map((claim) => claim?.scope ?? null),
      claims.map((claim) => claim?.key ?? null),
      claims.map((claim) => claim?.fingerprint ?? null),
      claims.map((claim) => (claim ? JSON.stringify(claim.outcome) : null)),
      events.map(({ event }) => event.eventId),
      events.map(({ event }) => event.type),
      events.map(({ data }) => data),
      events.map(({ metadata }) => metadata),
      events.map(({ hashed }) => hashed[0]),
      events.map(({ hashed }) => hashed[1]),
      this.idempotencyWindowMs / 1000,
    ];
  }
}
