import { Pool, PoolClient, PoolConfig, QueryResult } from 'pg';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  HashInput,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyRecord,
  JsonObject,
  LogFilter,
  LogHead,
  NewEvent,
  RecordedEvent,
  StreamCursor,
  StreamRead,
} from '../event-store.port';
import { AppendPlan, KnownLog, planAppends } from '../append-plan';
import { AppendQueue, PendingAppend, settle } from '../append-queue';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './rows';
import { scanHashInputs } from './hash-inputs';
import { sqlArray, sqlLiteral } from './sql-literal';
import { isDatabaseUnavailable } from './unavailable';
import type { RangeThreadData, RangeThreadMessage } from './verify-range.thread';
import { threadBeside } from '../thread-beside';
import { RangeOutcome, RangeTask } from '../verify-log';

const hexBytes = (hex: string) => `decode(${sqlLiteral(hex)}, 'hex')`;

export type PostgresEventStoreOptions = Readonly<{
  /** Most appends committed in one transaction. */
  maxBatch?: number;
  idempotencyWindowMs?: number;
  /** Told the size of every committed group, for metrics. */
  onCommit?: (appends: number, events: number) => void;
}>;

type Head = { position: string; hash: string; now: Date };

type IdempotencyRow = {
  scope: string;
  key: string;
  fingerprint: string;
  outcome: JsonObject;
  stream_id: string;
  version: number;
  position: string;
  created_at: Date;
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
  createdAt: row.created_at,
});

const claimKey = (scope: string, key: string) => `${scope}\u0000${key}`;

/** Verifies a range on a thread of its own (`verify-range.thread`). */
function verifyRangeOnThread(data: RangeThreadData, onProgress: (checked: number) => void): Promise<RangeOutcome> {
  return new Promise((resolve, reject) => {
    const thread = threadBeside(__filename, 'verify-range.thread', { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    thread.on('message', (message: RangeThreadMessage) => (message.kind === 'progress' ? onProgress(message.checked) : resolve(message.outcome)));
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the verifying thread stopped (${code}) before it had verified its range`)));
  });
}

/**
 * Events in PostgreSQL, in one global order without gaps, each chained to the one before by its hash.
 *
 * Every append takes the single-row log head FOR UPDATE before it assigns positions, so positions are
 * handed out in commit order and a reader of "position > P" can never miss an event that commits late.
 * To make that serialisation cheap, appends that arrive together are committed as one group in one
 * transaction (group commit); each keeps its own expected-version check and its own outcome.
 */
export class PostgresEventStore implements EventStore {
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

  async readStream(streamId: string): Promise<StreamRead> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`,
      [streamId],
    );
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
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT $2`,
      params,
    );
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

  verifyRanges(tasks: readonly RangeTask[], onProgress: (index: number, checked: number) => void): Promise<RangeOutcome[]> {
    // Settings a thread can be given: functions do not cross. The pool keeps a password given on
    // its own out of its enumerable options (and so out of logs); the threads need it too.
    const { password } = this.pool.options;
    const database: PoolConfig = {
      ...Object.fromEntries(Object.entries(this.pool.options).filter(([, value]) => typeof value !== 'function')),
      ...(typeof password === 'string' ? { password } : {}),
    };
    return Promise.all(tasks.map((task, index) => verifyRangeOnThread({ database, task }, (checked) => onProgress(index, checked))));
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
    const { rows } = await this.pool.query<{ position: string; hash: string }>("SELECT position, encode(hash, 'hex') AS hash FROM event_log_head");
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
   * The whole group in two round trips, each several statements sent as one text: first take the log
   * head and read what the group's checks need; then write the planned events, the new head and the
   * idempotency claims, and commit. Round trips, not statements, are what a group waits on.
   */
  private async transact(group: readonly PendingAppend[]): Promise<(AppendResult | Error)[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const { head, known } = await this.beginAndRead(client, group);
      const tip = { position: BigInt(head.position), hash: head.hash, recordedAt: head.now };
      const plan = planAppends(tip, head.now, group, known);
      await client.query([...this.writeSql(plan), 'COMMIT'].join(';\n'));
      const committed = plan.outcomes.filter((outcome) => !(outcome instanceof Error)).length;
      if (committed > 0) this.options.onCommit?.(committed, plan.events.length);
      return plan.outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Starts the transaction, takes the log head, and reads the group's streams, event ids and claims. */
  private async beginAndRead(client: PoolClient, group: readonly PendingAppend[]): Promise<{ head: Head; known: KnownLog }> {
    const streamIds = [...new Set(group.map((append) => append.streamId))];
    const eventIds = group.flatMap((append) => append.events.map((event) => event.eventId));
    const claims = group.flatMap((append) => (append.options.idempotency ? [append.options.idempotency] : []));
    const results = (await client.query(
      [
        'BEGIN',
        `SELECT position, encode(hash, 'hex') AS hash, greatest(date_trunc('milliseconds', clock_timestamp()), recorded_at) AS now
           FROM event_log_head FOR UPDATE`,
        // Each stream's version from the end of its index, one stream at a time: as `stream_id = ANY(...)`
        // the planner, before the log has statistics, expects a third of it to match and scans it all.
        `SELECT stream_id, (SELECT max(version) FROM events WHERE events.stream_id = ids.stream_id) AS version
           FROM unnest(${sqlArray(streamIds, 'text')}) AS ids(stream_id)`,
        `SELECT event_id::text AS event_id FROM events WHERE event_id = ANY(${sqlArray(eventIds, 'uuid')})`,
        // With no claims to look up, an empty answer keeps the results in their places.
        claims.length === 0
          ? 'SELECT NULL LIMIT 0'
          : `SELECT ${IDEMPOTENCY_COLUMNS} FROM idempotency_keys
              WHERE (scope, key) IN (SELECT * FROM unnest(${sqlArray(claims.map((c) => c.scope), 'text')}, ${sqlArray(claims.map((c) => c.key), 'text')}))
                AND created_at > now() - make_interval(secs => ${this.idempotencyWindowMs / 1000})`,
      ].join(';\n'),
    )) as unknown as QueryResult[];
    const [, { rows: heads }, { rows: versions }, { rows: recorded }, { rows: live }] = results;
    const versionOf = new Map(versions.map((row: { stream_id: string; version: number | null }) => [row.stream_id, row.version]));
    const recordedIds = new Set(recorded.map((row: { event_id: string }) => row.event_id));
    const liveClaims = new Map(live.map((row: IdempotencyRow) => [claimKey(row.scope, row.key), toIdempotencyRecord(row)]));
    return {
      head: heads[0] as Head,
      known: {
        versionOf: (streamId) => versionOf.get(streamId) ?? 0,
        isRecorded: (eventId) => recordedIds.has(eventId),
        liveClaim: (scope, key) => liveClaims.get(claimKey(scope, key)),
      },
    };
  }

  /** The statements that write a plan: its events and the new log head, and its idempotency claims. */
  private writeSql({ events, claims, tip }: AppendPlan): string[] {
    const statements: string[] = [];
    if (events.length > 0) {
      const rows = events.map((e) =>
        [
          e.position.toString(),
          sqlLiteral(e.event.eventId),
          sqlLiteral(e.streamId),
          String(e.version),
          sqlLiteral(e.event.type),
          sqlLiteral(e.data),
          sqlLiteral(e.metadata),
          sqlLiteral(e.recordedAt.toISOString()),
          hexBytes(e.prevHash),
          hexBytes(e.hash),
        ].join(', '),
      );
      statements.push(
        `WITH appended AS (
           INSERT INTO events (position, event_id, stream_id, version, type, data, metadata, recorded_at, prev_hash, hash)
           VALUES (${rows.join('), (')})
         )
         UPDATE event_log_head SET position = ${tip.position}, hash = ${hexBytes(tip.hash)}, recorded_at = ${sqlLiteral(tip.recordedAt.toISOString())}`,
      );
    }
    if (claims.length > 0) {
      const rows = claims.map((c) =>
        [
          sqlLiteral(c.scope),
          sqlLiteral(c.key),
          sqlLiteral(c.fingerprint),
          sqlLiteral(JSON.stringify(c.outcome)),
          sqlLiteral(c.streamId),
          String(c.version),
          c.position.toString(),
          sqlLiteral(c.createdAt.toISOString()),
        ].join(', '),
      );
      statements.push(
        `INSERT INTO idempotency_keys (${IDEMPOTENCY_COLUMNS}) VALUES (${rows.join('), (')})
         ON CONFLICT (scope, key) DO UPDATE SET
           fingerprint = excluded.fingerprint, outcome = excluded.outcome, stream_id = excluded.stream_id,
           version = excluded.version, position = excluded.position, created_at = excluded.created_at`,
      );
    }
    return statements;
  }

}
