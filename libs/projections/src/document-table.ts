import { PoolClient } from 'pg';
import { RecordedEvent } from '@app/event-store';
import { ProjectionTarget } from './projection';

type StoredRow = { key: string; position: string; doc: object };
type Row = { position: bigint; doc: object };

export function createTableSql({ projection, table }: ProjectionTarget): string[] {
  const columns = ['key text PRIMARY KEY', 'position bigint NOT NULL', 'doc jsonb NOT NULL', ...(projection.columns ?? [])];
  return [`CREATE TABLE ${table} (${columns.join(', ')})`, ...(projection.indexes ?? []).map((index) => `CREATE INDEX ON ${table} ${index}`)];
}

/**
 * Folds events into the target's documents: loads the rows they touch, skips every event at or
 * below the position a row remembers (so applying the same events twice changes nothing), and
 * writes the changed rows back in one statement. Runs inside the caller's transaction.
 */
export async function applyToDocuments(client: PoolClient, target: ProjectionTarget, events: readonly RecordedEvent[]): Promise<number> {
  const { projection, table } = target;
  const relevant = events.filter((event) => projection.handles(event));
  if (relevant.length === 0) return 0;
  const keys = [...new Set(relevant.map((event) => projection.keyOf(event)))];
  const { rows } = await client.query<StoredRow>(`SELECT key, position, doc FROM ${table} WHERE key = ANY($1::text[])`, [keys]);
  const current = new Map<string, Row>(rows.map((row) => [row.key, { position: BigInt(row.position), doc: row.doc }]));
  const changed = new Map<string, Row>();
  for (const event of relevant) {
    const key = projection.keyOf(event);
    const row = changed.get(key) ?? current.get(key);
    if (row && row.position >= event.position) continue;
    const doc = projection.evolve(row?.doc, event);
    if (doc !== undefined) changed.set(key, { position: event.position, doc });
  }
  if (changed.size === 0) return 0;
  const entries = [...changed];
  await client.query(
    `INSERT INTO ${table} (key, position, doc)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::jsonb[])
     ON CONFLICT (key) DO UPDATE SET position = excluded.position, doc = excluded.doc`,
    [entries.map(([key]) => key), entries.map(([, row]) => row.position.toString()), entries.map(([, row]) => JSON.stringify(row.doc))],
  );
  return changed.size;
}
