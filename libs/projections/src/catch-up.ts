import { Pool } from 'pg';
import { EventStore, RecordedEvent } from '@app/event-store';
import { applyBatch, readCheckpoints } from './checkpoints';
import { ProjectionTarget } from './projection';
import { inTransaction } from './transaction';

export type CatchUpOptions = Readonly<{
  batchSize: number;
  onBatch?: (events: readonly RecordedEvent[]) => void;
  shouldStop?: () => boolean;
}>;

/**
 * Applies every event after the targets' lowest checkpoint, batch by batch, each batch with its
 * checkpoints in one transaction. The next batch is read while the current one is written.
 */
export async function catchUp(
  pool: Pool,
  store: Pick<EventStore, 'readAll'>,
  targets: readonly ProjectionTarget[],
  { batchSize, onBatch, shouldStop }: CatchUpOptions,
): Promise<void> {
  const checkpoints = await readCheckpoints(pool, targets.map((target) => target.checkpoint));
  const from = targets.reduce((lowest, target) => {
    const position = checkpoints.get(target.checkpoint)?.position ?? 0n;
    return position < lowest ? position : lowest;
  }, BigInt(Number.MAX_SAFE_INTEGER));
  let next: Promise<RecordedEvent[]> | undefined = store.readAll(from, batchSize);
  while (next && !shouldStop?.()) {
    const events: RecordedEvent[] = await next;
    if (events.length === 0) return;
    next = events.length === batchSize ? store.readAll(events[events.length - 1].position, batchSize) : undefined;
    // A failed apply abandons the read ahead; its failure, if any, is not news.
    next?.catch(() => undefined);
    await inTransaction(pool, (client) => applyBatch(client, targets, events));
    onBatch?.(events);
  }
}
