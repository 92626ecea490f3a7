import { Pool, PoolClient } from 'pg';
import {
  AppendOptions,
  AppendResult,
  ChainedRecord,
  EventStore,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyRecord,
  JsonObject,
  LogFilter,
  LogHead,
  NewEvent,
  RecordedEvent,
  StreamRead,
} from '../event-store.port';
import { planAppends } from '../append-plan';
import { AppendQueue, PendingAppend, settle } from '../append-queue';
import { AS_SENT, CHAINED_TEXT_COLUMNS, EVENT_COLUMNS, EventRow, toChainedRecord, toRecordedEvent } from './rows';
import { isDatabaseUnavailable } from './unavailable';

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
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT $2`,
      params,
    );
    return rows.map(toRecordedEvent);
  }

  async readChainedText(after: bigint, limit: number): Promise<ChainedRecord[]> {
    const { rows } = await this.pool.query<string[]>({
      text: `SELECT ${CHAINED_TEXT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
      values: [after.toString(), limit],
      rowMode: 'array',
      types: AS_SENT,
    });
    return rows.map(toChainedRecord);
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

  private async transact(group: readonly PendingAppend[]): Promise<(AppendResult | Error)[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const head = await this.beginAndLockHead(client);
      const outcomes = await this.appendGroup(client, head, group);
      await client.query('COMMIT');
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async appendGroup(client: PoolClient, head: Head, group: readonly PendingAppend[]): Promise<(AppendResult | Error)[]> {
    const { versions, recordedIds } = await this.recorded(client, group);
    const claims = await this.liveClaims(client, group);
    const tip = { position: BigInt(head.position), hash: head.hash, recordedAt: head.now };
    const { outcomes, events, claims: newClaims, tip: end } = planAppends(tip, head.now, group, {
      versionOf: (streamId) => versions.get(streamId) ?? 0,
      isRecorded: (eventId) => recordedIds.has(eventId),
      liveClaim: (scope, key) => claims.get(claimKey(scope, key)),
    });

    if (events.length > 0) {
      await client.query(
        `WITH appended AS (
           INSERT INTO events (position, event_id, stream_id, version, type, data, metadata, recorded_at, prev_hash, hash)
           SELECT p, e, s, v, t, d, m, $8, decode(ph, 'hex'), decode(h, 'hex')
             FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::json[], $7::json[], $9::text[], $10::text[])
               AS u(p, e, s, v, t, d, m, ph, h)
         )
         UPDATE event_log_head SET position = $11, hash = decode($12, 'hex'), recorded_at = $8`,
        [
          events.map((e) => e.position.toString()),
          events.map((e) => e.event.eventId),
          events.map((e) => e.streamId),
          events.map((e) => e.version),
          events.map((e) => e.event.type),
          events.map((e) => e.data),
          events.map((e) => e.metadata),
          head.now,
          events.map((e) => e.prevHash),
          events.map((e) => e.hash),
          end.position.toString(),
          end.hash,
        ],
      );
    }
    if (newClaims.length > 0) await this.storeClaims(client, newClaims);
    const committed = outcomes.filter((outcome) => !(outcome instanceof Error)).length;
    if (committed > 0) this.options.onCommit?.(committed, events.length);
    return outcomes;
  }

  /** Starts the transaction and takes the log head, in one round trip. */
  private async beginAndLockHead(client: PoolClient): Promise<Head> {
    const results = (await client.query(
      `BEGIN;
       SELECT position, encode(hash, 'hex') AS hash,
              greatest(date_trunc('milliseconds', clock_timestamp()), recorded_at) AS now
         FROM event_log_head FOR UPDATE`,
    )) as unknown as { rows: Head[] }[];
    return results[1].rows[0];
  }

  /** The current version of each stream in the group, and which of its event ids are already recorded. */
  private async recorded(client: PoolClient, group: readonly PendingAppend[]) {
    const { rows } = await client.query<{ kind: 'version' | 'event'; key: string; version: number }>(
      `SELECT 'version' AS kind, stream_id AS key, max(version) AS version FROM events
        WHERE stream_id = ANY($1::text[]) GROUP BY stream_id
       UNION ALL
       SELECT 'event', event_id::text, 0 FROM events WHERE event_id = ANY($2::uuid[])`,
      [[...new Set(group.map((append) => append.streamId))], group.flatMap((append) => append.events.map((event) => event.eventId))],
    );
    return {
      versions: new Map(rows.filter((row) => row.kind === 'version').map((row) => [row.key, row.version])),
      recordedIds: new Set(rows.filter((row) => row.kind === 'event').map((row) => row.key)),
    };
  }

  private async liveClaims(client: PoolClient, group: readonly PendingAppend[]): Promise<Map<string, IdempotencyRecord>> {
    const claims = group.flatMap((append) => (append.options.idempotency ? [append.options.idempotency] : []));
    if (claims.length === 0) return new Map();
    const { rows } = await client.query<IdempotencyRow>(
      `SELECT ${IDEMPOTENCY_COLUMNS} FROM idempotency_keys
        WHERE (scope, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          AND created_at > now() - make_interval(secs => $3)`,
      [claims.map((c) => c.scope), claims.map((c) => c.key), this.idempotencyWindowMs / 1000],
    );
    return new Map(rows.map((row) => [claimKey(row.scope, row.key), toIdempotencyRecord(row)]));
  }

  private async storeClaims(client: PoolClient, claims: readonly IdempotencyRecord[]): Promise<void> {
    await client.query(
      `INSERT INTO idempotency_keys (${IDEMPOTENCY_COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::int[], $7::bigint[], $8::timestamptz[])
       ON CONFLICT (scope, key) DO UPDATE SET
         fingerprint = excluded.fingerprint, outcome = excluded.outcome, stream_id = excluded.stream_id,
         version = excluded.version, position = excluded.position, created_at = excluded.created_at`,
      [
        claims.map((c) => c.scope),
        claims.map((c) => c.key),
        claims.map((c) => c.fingerprint),
        claims.map((c) => JSON.stringify(c.outcome)),
        claims.map((c) => c.streamId),
        claims.map((c) => c.version),
        claims.map((c) => c.position.toString()),
        claims.map((c) => c.createdAt),
      ],
    );
  }
}
