import { Projection } from '../projection';

/**
 * Counts the events of every stream: the sum over its rows must equal the number of events, exactly.
 * The n-th version of a stream's document counts from the n-th day of 2026, for its history read by day.
 */
export const countingProjection = (
  version = 1,
  keyedWithinStream = false,
): Projection<{ count: number; positions: string[]; day: string }> => ({
  name: 'event-counts',
  version,
  keyedWithinStream,
  table: 'event_counts',
  dayField: 'day',
  handles: () => true,
  keyOf: (event) => event.streamId,
  evolve: (doc, event) => {
    const count = (doc?.count ?? 0) + 1;
    return { count, positions: [...(doc?.positions ?? []), event.position.toString()], day: `2026-01-${String(count).padStart(2, '0')}` };
  },
});

export async function countedEvents(db: { query: (sql: string) => Promise<{ rows: { total: string | null }[] }> }): Promise<number> {
  const { rows } = await db.query(`SELECT sum((doc->>'count')::int) AS total FROM event_counts`);
  return Number(rows[0].total ?? 0);
}
