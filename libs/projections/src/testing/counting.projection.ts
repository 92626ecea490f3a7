import { Projection } from '../projection';

/** Counts the events of every stream: the sum over its rows must equal the number of events, exactly. */
export const countingProjection = (version = 1, keyedWithinStream = false): Projection<{ count: number; positions: string[] }> => ({
  name: 'event-counts',
  version,
  keyedWithinStream,
  table: 'event_counts',
  handles: () => true,
  keyOf: (event) => event.streamId,
  evolve: (doc, event) => ({ count: (doc?.count ?? 0) + 1, positions: [...(doc?.positions ?? []), event.position.toString()] }),
});

export async function countedEvents(db: { query: (sql: string) => Promise<{ rows: { total: string | null }[] }> }): Promise<number> {
  const { rows } = await db.query(`SELECT sum((doc->>'count')::int) AS total FROM event_counts`);
  return Number(rows[0].total ?? 0);
}
