import { Pool, PoolClient } from 'pg';
import { AuditCheckpoint } from './audit-checkpoint';

type CheckpointRow = { position: string; hash: string; signed_at: Date; key_id: string; signature: string };

/** Every signed checkpoint kept in PostgreSQL (whichever store holds the events), oldest first. */
export async function readAuditCheckpoints(db: Pool | PoolClient): Promise<AuditCheckpoint[]> {
  const { rows } = await db.query<CheckpointRow>(
    'SELECT position, hash, signed_at, key_id, signature FROM audit_checkpoints ORDER BY position',
  );
  return rows.map((row) => ({
    position: row.position,
    hash: row.hash,
    signedAt: row.signed_at.toISOString(),
    keyId: row.key_id,
    signature: row.signature,
  }));
}
