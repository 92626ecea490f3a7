import { Pool, PoolClient } from 'pg';
import { RecordedEvent } from '@app/event-store';
import { ProjectionTarget } from './projection';
import { Statement, StatementRenderer, inline, jsonLiteral } from './statements';

/**
 * Events a reader could not fold, set aside: each reader (a read model, its shadow while it is
 * rebuilt, the outbox) skips such an event, records it here, and goes on with the next.
 */
export const QUARANTINE_TABLE = `
  CREATE TABLE IF NOT EXISTS event_quarantine (
    reader text NOT NULL,
    position bigint NOT NULL,
    stream_id text NOT NULL,
    type text NOT NULL,
    reason text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (reader, position)
  );
  CREATE INDEX IF NOT EXISTS event_quarantine_position ON event_quarantine (position)`;

/** An event a reader skipped, and why. */
export type SetAside = Readonly<{ reader: string; position: bigint; streamId: string; type: string; reason: string }>;

export type QuarantinedEvent = SetAside & Readonly<{ firstSeenAt: Date }>;

/** Longer reasons are cut: a reason says which fields, not what they held. */
const MOST_REASON = 1000;

/** An event set aside by `reader`, because of `error`. */
export function setAside(reader: string, event: RecordedEvent, error: unknown): SetAside {
  const reason = error instanceof Error ? error.message : String(error);
  return { reader, position: event.position, streamId: event.streamId, type: event.type, reason: reason.slice(0, MOST_REASON) };
}

/** What a projection's `evolve` gave, or SET_ASIDE when it could not fold the event (it threw). */
export const SET_ASIDE = Symbol('set aside');

/**
 * The target's document after the event, or SET_ASIDE, the event then added to `aside`: a reader
 * never stops at an event it cannot fold, and the document stays as it was before it.
 */
export function evolveOrSetAside(
  target: ProjectionTarget,
  doc: object | undefined,
  event: RecordedEvent,
  aside: SetAside[],
): object | undefined | typeof SET_ASIDE {
  try {
    return target.projection.evolve(doc, event);
  } catch (error) {
    aside.push(setAside(target.checkpoint, event, error));
    return SET_ASIDE;
  }
}

export const RECORD_SET_ASIDE: Statement = {
  name: 'event_quarantine__record',
  text: `INSERT INTO event_quarantine (reader, position, stream_id, type, reason)
         SELECT item->>0, (item->>1)::bigint, item->>2, item->>3, item->>4 FROM jsonb_array_elements($1::jsonb) AS item
         ON CONFLICT (reader, position) DO NOTHING`,
};

/** The statement that records events set aside, as text to share a round trip; empty when there are none. */
export function recordSetAsideSql(entries: readonly SetAside[], render: StatementRenderer = inline): string {
  if (entries.length === 0) return '';
  return render(RECORD_SET_ASIDE, [
    jsonLiteral(entries.map((entry) => [entry.reader, entry.position.toString(), entry.streamId, entry.type, entry.reason])),
  ]);
}

/** Records events set aside, in the caller's transaction. */
export async function recordSetAside(client: Pool | PoolClient, entries: readonly SetAside[]): Promise<void> {
  const sql = recordSetAsideSql(entries);
  if (sql) await client.query(sql);
}

/**
 * A rebuilt reader's findings replace the live one's, in the swap's transaction: an event the new
 * code folds leaves the quarantine, one still set aside keeps the day it was first seen.
 */
export async function swapQuarantine(client: PoolClient, live: string, shadow: string): Promise<void> {
  await client.query(
    `UPDATE event_quarantine AS found SET first_seen_at = least(found.first_seen_at, known.first_seen_at)
       FROM event_quarantine AS known
      WHERE found.reader = $2 AND known.reader = $1 AND known.position = found.position`,
    [live, shadow],
  );
  await client.query('DELETE FROM event_quarantine WHERE reader = $1', [live]);
  await client.query('UPDATE event_quarantine SET reader = $1 WHERE reader = $2', [live, shadow]);
}

export async function forgetQuarantine(client: Pool | PoolClient, reader: string): Promise<void> {
  await client.query('DELETE FROM event_quarantine WHERE reader = $1', [reader]);
}

type QuarantineRow = { reader: string; position: string; stream_id: string; type: string; reason: string; first_seen_at: Date };

/** What is set aside, the latest events first. */
export async function readQuarantine(db: Pool | PoolClient, limit: number): Promise<QuarantinedEvent[]> {
  const { rows } = await db.query<QuarantineRow>(
    'SELECT reader, position, stream_id, type, reason, first_seen_at FROM event_quarantine ORDER BY position DESC, reader LIMIT $1',
    [limit],
  );
  return rows.map((row) => ({
    reader: row.reader,
    position: BigInt(row.position),
    streamId: row.stream_id,
    type: row.type,
    reason: row.reason,
    firstSeenAt: row.first_seen_at,
  }));
}

/** How many events some reader has set aside (an event skipped by several readers counts once). */
export async function quarantinedCount(db: Pool | PoolClient): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(DISTINCT position)::int AS n FROM event_quarantine');
  return rows[0].n;
}
