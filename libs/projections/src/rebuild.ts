import { Pool } from 'pg';
import { EventStore } from '@app/event-store';
import { catchUp } from './catch-up';
import { applyBatch, readCheckpoints } from './checkpoints';
import { createTableSql } from './document-table';
import { Projection, liveTarget, shadowTarget } from './projection';
import { inTransaction } from './transaction';

export type RebuildProgress = Readonly<{ projection: string; events: number; position: bigint; head: bigint }>;

export class RebuildAlreadyRunning extends Error {
  constructor(readonly projection: string) {
    super(`A rebuild of ${projection} is already running.`);
    this.name = 'RebuildAlreadyRunning';
  }
}

/**
 * Rebuilds a projection from the first event into a shadow table while the live table keeps
 * answering, then, holding the live checkpoint so the runner waits, applies the last few events
 * and swaps the shadow in: readers see the old table or the new one, never a half-built one.
 */
export async function rebuildProjection(
  pool: Pool,
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  projection: Projection,
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<RebuildProgress> {
  const batchSize = options.batchSize ?? 2000;
  const live = liveTarget(projection);
  const shadow = shadowTarget(projection);
  const lock = await pool.connect();
  lock.on('error', () => undefined);
  try {
    const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`rebuild:${projection.name}`]);
    if (!rows[0].locked) throw new RebuildAlreadyRunning(projection.name);

    await inTransaction(pool, async (client) => {
      await client.query(`DROP TABLE IF EXISTS ${shadow.table}`);
      for (const sql of createTableSql(shadow)) await client.query(sql);
      await client.query(
        `INSERT INTO projection_checkpoints (name, version, position) VALUES ($1, $2, 0)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = 0, updated_at = now()`,
        [shadow.checkpoint, projection.version],
      );
    });
    let events = 0;
    let head = await store.headPosition();
    const progress = (position: bigint): RebuildProgress => ({ projection: projection.name, events, position, head: head > position ? head : position });
    await catchUp(pool, store, [shadow], {
      batchSize,
      onBatch: (batch) => {
        events += batch.length;
        options.onProgress?.(progress(batch[batch.length - 1].position));
      },
    });

    return await inTransaction(pool, async (client) => {
      await readCheckpoints(client, [live.checkpoint, shadow.checkpoint], true);
      for (;;) {
        const position = (await readCheckpoints(client, [shadow.checkpoint])).get(shadow.checkpoint)!.position;
        const batch = await store.readAll(position, batchSize);
        if (batch.length === 0) {
          await client.query(`DROP TABLE IF EXISTS ${live.table}`);
          await client.query(`ALTER TABLE ${shadow.table} RENAME TO ${live.table}`);
          await client.query(
            `INSERT INTO projection_checkpoints (name, version, position) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, updated_at = now()`,
            [live.checkpoint, projection.version, position.toString()],
          );
          await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [shadow.checkpoint]);
          head = position;
          return progress(position);
        }
        await applyBatch(client, [shadow], batch);
        events += batch.length;
      }
    });
  } finally {
    // Closing the session gives the rebuild lock up, even if the session was lost.
    lock.release(true);
  }
}
