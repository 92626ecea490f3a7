import { Pool, PoolClient, QueryResult } from 'pg';
import { EventStore, RecordedEvent } from '@app/event-store';
import { DocumentBuffer, StoredRow, createTableSql, documentStatements, writeDocumentsSql } from './document-table';
import { Statement, StatementRenderer, inline, jsonLiteral } from './statements';
import { Projection, ProjectionTarget, liveTarget } from './projection';
import { QUARANTINE_TABLE, RECORD_SET_ASIDE, forgetQuarantine } from './quarantine';
import { inTransaction } from './transaction';

const SCHEMA_LOCK = 0x1ea2_0002;

/**
 * Creates the checkpoint table and every projection's live table that does not exist yet. Every
 * service instance calls it at start, so reads work before any runner has applied an event.
 */
export async function ensureProjectionSchema(pool: Pool, projections: readonly Projection[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS projection_checkpoints (
         name text PRIMARY KEY,
         version integer NOT NULL,
         position bigint NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    await client.query(QUARANTINE_TABLE);
    for (const target of projections.map(liveTarget)) {
      const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [target.table]);
      if (!rows[0].exists) {
        for (const sql of createTableSql(target)) await client.query(sql);
        await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [target.checkpoint]);
        await forgetQuarantine(client, target.checkpoint);
      }
      await client.query('INSERT INTO projection_checkpoints (name, version, position) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING', [
        target.checkpoint,
        target.projection.version,
      ]);
    }
  });
}

export type Checkpoint = Readonly<{ name: string; version: number; position: bigint; updatedAt: Date }>;

type CheckpointRow = { name: string; version: number; position: string; updated_at: Date };
const toCheckpoint = (row: CheckpointRow): Checkpoint => ({
  name: row.name,
  version: row.version,
  position: BigInt(row.position),
  updatedAt: row.updated_at,
});

/** The checkpoints of the names given as a JSON array, in name order. */
const CHECKPOINT_ROWS = `SELECT name, version, position, updated_at FROM projection_checkpoints
                          WHERE name = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) ORDER BY name`;

const CHECKPOINTS = {
  lock: { name: 'projection_checkpoints__lock', text: `${CHECKPOINT_ROWS} FOR UPDATE` },
  move: {
    name: 'projection_checkpoints__move',
    text: `UPDATE projection_checkpoints SET position = $2::bigint, updated_at = now()
            WHERE name = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`,
  },
} satisfies Record<string, Statement>;

export async function readCheckpoints(
  db: Pool | PoolClient,
  names: readonly string[],
  forUpdate = false,
): Promise<Map<string, Checkpoint>> {
  const { rows } = await db.query<CheckpointRow>(forUpdate ? CHECKPOINTS.lock.text : CHECKPOINT_ROWS, [JSON.stringify(names)]);
  return new Map(rows.map((row) => [row.name, toCheckpoint(row)]));
}

/**
 * One batch of events applied to several targets with their checkpoints, as SQL text for two round
 * trips: the checkpoints locked and the documents the events touch loaded in the first, the
 * changed documents written and the checkpoints moved in the second. A target skips the events at
 * or below its checkpoint, so a batch read before another runner (or a rebuild's swap) moved a
 * checkpoint is never applied twice. Its statements are written out in full, or executed by name
 * where the session has prepared them (`render`).
 */
export class BatchApplication {
  private readonly buffers: DocumentBuffer[];
  private readonly loading: DocumentBuffer[] = [];
  private readonly moved: string[] = [];
  private readonly last: bigint;

  constructor(
    targets: readonly ProjectionTarget[],
    private readonly events: readonly RecordedEvent[],
    private readonly render: StatementRenderer = inline,
  ) {
    this.buffers = targets.map((target) => new DocumentBuffer(target));
    this.last = events[events.length - 1].position;
  }

  /** Locks the checkpoints, then loads documents: the statements whose results `apply` takes. */
  openSql(): string {
    const loads = this.buffers.flatMap((buffer) => {
      const sql = buffer.loadSql(this.events, this.render);
      if (sql === undefined) return [];
      this.loading.push(buffer);
      return [sql];
    });
    return [this.render(CHECKPOINTS.lock, [jsonLiteral(this.buffers.map((buffer) => buffer.target.checkpoint))]), ...loads].join('; ');
  }

  /**
   * Applies the events past each checkpoint in memory, given the results of the round trip that
   * ran `openSql`. That trip may begin with statements of the caller's (BEGIN, PREPAREs, a read),
   * so `openSql`'s own results are its last ones: the lock's, then one a load, in `loading`'s order.
   */
  apply(results: readonly QueryResult[]): void {
    const ours = results.slice(results.length - 1 - this.loading.length);
    const [lock, ...loads] = ours;
    const checkpoints = new Map((lock as QueryResult<CheckpointRow>).rows.map((row) => [row.name, toCheckpoint(row)]));
    loads.forEach((loaded, index) => this.loading[index].remember(loaded.rows as StoredRow[]));
    for (const buffer of this.buffers) {
      const from = checkpoints.get(buffer.target.checkpoint)?.position ?? 0n;
      if (from >= this.last) continue;
      buffer.evolve(this.events.filter((event) => event.position > from));
      this.moved.push(buffer.target.checkpoint);
    }
  }

  /** Writes what changed and moves the checkpoints of the targets that were behind. */
  closeSql(): string {
    const writes = this.buffers.map((buffer) => writeDocumentsSql(buffer.target, buffer.takeChanges(), this.render));
    const move = this.moved.length > 0 ? this.render(CHECKPOINTS.move, [jsonLiteral(this.moved), this.last.toString()]) : '';
    return [...writes, move].filter((sql) => sql !== '').join('; ');
  }
}

/** Applies a batch to each target and moves its checkpoint, in the caller's transaction. */
export async function applyBatch(
  client: PoolClient,
  targets: readonly ProjectionTarget[],
  events: readonly RecordedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const batch = new BatchApplication(targets, events);
  const opened = (await client.query(batch.openSql())) as QueryResult | QueryResult[];
  batch.apply(Array.isArray(opened) ? opened : [opened]);
  const close = batch.closeSql();
  if (close) await client.query(close);
}

export async function moveCheckpoints(client: PoolClient, names: readonly string[], position: bigint): Promise<void> {
  if (names.length === 0) return;
  await client.query(CHECKPOINTS.move.text, [JSON.stringify(names), position.toString()]);
}

/** Every statement a batch applied to these targets may execute. */
export function batchStatements(targets: readonly ProjectionTarget[]): Statement[] {
  return [
    ...Object.values(CHECKPOINTS),
    RECORD_SET_ASIDE,
    ...targets.flatMap((target) => {
      const { load, close, write } = documentStatements(target);
      return close ? [load, close, write] : [load, write];
    }),
  ];
}

/**
 * How every projection transaction begins. Read models can always be rebuilt from the log, and
 * their rows and checkpoint commit together or not at all: a commit lost to a server crash is
 * applied again, so it need not wait for fsync. One round trip for both statements.
 */
export const PROJECTION_BEGIN = 'BEGIN; SET LOCAL synchronous_commit TO OFF';

export type ProjectionLag = Readonly<{
  name: string;
  version: number;
  position: bigint;
  head: bigint;
  events: bigint;
  milliseconds: number;
}>;

/** How far each live projection is behind the head of the log, in events and in time. */
export async function projectionLag(
  pool: Pool,
  store: Pick<EventStore, 'headPosition' | 'readAll'>,
  projections: readonly Projection[],
): Promise<ProjectionLag[]> {
  const [checkpoints, head] = await Promise.all([
    readCheckpoints(
      pool,
      projections.map((p) => p.name),
    ),
    store.headPosition(),
  ]);
  return Promise.all(
    projections.map(async ({ name, version }) => {
      const position = checkpoints.get(name)?.position ?? 0n;
      const [next] = position < head ? await store.readAll(position, 1) : [];
      return {
        name,
        version,
        position,
        head,
        events: head - position,
        milliseconds: next ? Math.max(0, Date.now() - next.recordedAt.getTime()) : 0,
      };
    }),
  );
}
