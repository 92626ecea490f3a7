import { Pool, PoolClient } from 'pg';
import { inTransaction } from '@app/projections';
import { READ_MODELS } from '@app/read-models';

/** The position of the log that every read model has applied. */
export async function readModelsPosition(db: Pool | PoolClient): Promise<bigint> {
  const { rows } = await db.query<{ position: string | null }>(
    'SELECT min(position) AS position FROM projection_checkpoints WHERE name = ANY($1::text[])',
    [READ_MODELS.map((projection) => projection.name)],
  );
  return BigInt(rows[0].position ?? 0);
}

/** Runs several read-model queries on one consistent snapshot: counts that add up, never a mix of before and after a batch. */
export function onSnapshot<T>(pool: Pool, read: (client: PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, read, { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' });
}
