import { Pool, PoolClient, escapeLiteral } from 'pg';
import { EventStore, RecordedEvent } from '@app/event-store';
import { applyToDocuments, createTableSql } from './document-table';
import { Projection, ProjectionTarget, liveTarget } from './projection';
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
    for (const target of projections.map(liveTarget)) {
      const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [target.table]);
      if (!rows[0].exists) {
        for (const sql of createTableSql(target)) await client.query(sql);
        await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [target.checkpoint]);
      }
      await client.query(
        'INSERT INTO projection_checkpoints (name, version, position) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING',
        [target.checkpoint, target.projection.version],
      );
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

export async function readCheckpoints(db: Pool | PoolClient, names: readonly string[], forUpdate = false): Promise<Map<string, Checkpoint>> {
  const { rows } = await db.query<CheckpointRow>(
    `SELECT name, version, position, updated_at FROM projection_checkpoints WHERE name = ANY($1::text[]) ORDER BY name ${forUpdate ? 'FOR UPDATE' : ''}`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, toCheckpoint(row)]));
}

/**
 * Applies a batch to each target and moves its checkpoint, in the caller's transaction. The
 * checkpoints are locked first and events at or below them are skipped, so a batch read before
 * another runner (or a rebuild's swap) moved a checkpoint is never applied twice.
 */
export async function applyBatch(client: PoolClient, targets: readonly ProjectionTarget[], events: readonly RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const checkpoints = await readCheckpoints(client, targets.map((target) => target.checkpoint), true);
  const moved = await applyPastCheckpoints(client, targets, events, checkpoints);
  await moveCheckpoints(client, moved, events[events.length - 1].position);
}

/**
 * Applies to each target the events past its checkpoint, which the caller has locked, and
 * answers the checkpoints to move to the batch's last position.
 */
export async function applyPastCheckpoints(
  client: PoolClient,
  targets: readonly ProjectionTarget[],
  events: readonly RecordedEvent[],
  checkpoints: ReadonlyMap<string, Checkpoint>,
): Promise<string[]> {
  const last = events[events.length - 1].position;
  const behind = targets.filter((target) => (checkpoints.get(target.checkpoint)?.position ?? 0n) < last);
  for (const target of behind) {
    const from = checkpoints.get(target.checkpoint)?.position ?? 0n;
    await applyToDocuments(client, target, events.filter((event) => event.position > from));
  }
  return behind.map((target) => target.checkpoint);
}

export async function moveCheckpoints(client: PoolClient, names: readonly string[], position: bigint): Promise<void> {
  if (names.length === 0) return;
  await client.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = ANY($1::text[])', [names, position.toString()]);
}

/** The same statements as SQL text, for transactions that save round trips by sending several at once. */
export const checkpointsSql = {
  lock: (names: readonly string[]) =>
    `SELECT name, version, position, updated_at FROM projection_checkpoints WHERE name IN (${names.map(escapeLiteral).join(', ')}) ORDER BY name FOR UPDATE`,
  move: (names: readonly string[], position: bigint) =>
    names.length === 0 ? '' : `UPDATE projection_checkpoints SET position = ${position}, updated_at = now() WHERE name IN (${names.map(escapeLiteral).join(', ')})`,
  rows: (result: { rows: CheckpointRow[] }) => new Map(result.rows.map((row) => [row.name, toCheckpoint(row)])),
};

/**
 * How every projection transaction begins. Read models can always be rebuilt from the log, and
 * their rows and checkpoint commit together or not at all: a commit lost to a server crash is
 * applied again, so it need not wait for fsync. One round trip for both statements.
 */
export const PROJECTION_BEGIN = 'BEGIN; SET LOCAL synchronous_commit TO OFF';

export type ProjectionLag = Readonly<{ name: string; version: number; position: bigint; head: bigint; events: bigint; milliseconds: number }>;

/** How far each live projection is behind the head of the log, in events and in time. */
export async function projectionLag(pool: Pool, store: Pick<EventStore, 'headPosition' | 'readAll'>, projections: readonly Projection[]): Promise<ProjectionLag[]> {
  const [checkpoints, head] = await Promise.all([readCheckpoints(pool, projections.map((p) => p.name)), store.headPosition()]);
  return Promise.all(
    projections.map(async ({ name, version }) => {
      const position = checkpoints.get(name)?.position ?? 0n;
      const [next] = position < head ? await store.readAll(position, 1) : [];
      return { name, version, position, head, events: head - position, milliseconds: next ? Math.max(0, Date.now() - next.recordedAt.getTime()) : 0 };
    }),
  );
}
