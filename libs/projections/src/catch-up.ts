import { Pool } from 'pg';
import { EventStore, RecordedEvent } from '@app/event-store';
import { BatchApplication, PROJECTION_BEGIN, batchStatements, readCheckpoints } from './checkpoints';
import { Statement, byName, preparations } from './statements';
import { ProjectionTarget } from './projection';
import { inTransaction } from './transaction';

export type CatchUpOptions = Readonly<{
  batchSize: number;
  onBatch?: (events: readonly RecordedEvent[]) => void;
  shouldStop?: () => boolean;
  /** Where the caller knows the targets stand, to save reading the checkpoints; they are checked when applying anyway. */
  from?: bigint;
}>;

/**
 * Applies every event after the targets' lowest checkpoint, batch by batch, each batch with its
 * checkpoints in one transaction. The next batch is read while the current one is written.
 */
export async function catchUp(
  pool: Pool,
  store: Pick<EventStore, 'readAll'>,
  targets: readonly ProjectionTarget[],
  { batchSize, onBatch, shouldStop, from }: CatchUpOptions,
): Promise<bigint> {
  let reached = from ?? (await lowestCheckpoint(pool, targets));
  const statements = batchStatements(targets);
  let next: Promise<RecordedEvent[]> | undefined = store.readAll(reached, batchSize);
  while (next && !shouldStop?.()) {
    const events: RecordedEvent[] = await next;
    if (events.length === 0) break;
    next = events.length === batchSize ? store.readAll(events[events.length - 1].position, batchSize) : undefined;
    // A failed apply abandons the read ahead; its failure, if any, is not news.
    next?.catch(() => undefined);
    await applyInOneTransaction(pool, targets, statements, events);
    reached = events[events.length - 1].position;
    onBatch?.(events);
  }
  return reached;
}

async function lowestCheckpoint(pool: Pool, targets: readonly ProjectionTarget[]): Promise<bigint> {
  const checkpoints = await readCheckpoints(
    pool,
    targets.map((target) => target.checkpoint),
  );
  return targets.reduce((lowest, target) => {
    const position = checkpoints.get(target.checkpoint)?.position ?? 0n;
    return position < lowest ? position : lowest;
  }, BigInt(Number.MAX_SAFE_INTEGER));
}

/**
 * One batch, its documents and checkpoints in one transaction, in two round trips (see
 * BatchApplication), its statements executed by name: prepared once a session, in its first round trip.
 */
function applyInOneTransaction(
  pool: Pool,
  targets: readonly ProjectionTarget[],
  statements: readonly Statement[],
  events: readonly RecordedEvent[],
): Promise<void> {
  const batch = new BatchApplication(targets, events, byName);
  return inTransaction(pool, async (_client, begun) => batch.apply(begun), {
    prepare: (client) => preparations(client, statements),
    begin: `${PROJECTION_BEGIN}; ${batch.openSql()}`,
    finish: () => batch.closeSql(),
  });
}
