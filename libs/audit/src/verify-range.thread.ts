import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Pool, PoolConfig } from 'pg';
import { PostgresEventStore } from '@app/event-store';
import { RangeOutcome, RangeTask, verifyRange } from './verify-log';

export type RangeThreadData = Readonly<{ database: PoolConfig; task: RangeTask }>;

/** What the thread tells: how many events of its range it has checked, then the outcome. */
export type RangeThreadMessage = Readonly<{ kind: 'progress'; checked: number }> | Readonly<{ kind: 'outcome'; outcome: RangeOutcome }>;

/** Verifies one range of the log on a thread of its own, with its own connections. */
async function verifyOnThread(port: MessagePort, { database, task }: RangeThreadData): Promise<void> {
  const pool = new Pool({ ...database, max: 2 });
  const tell = (message: RangeThreadMessage) => port.postMessage(message);
  try {
    const outcome = await verifyRange(new PostgresEventStore(pool), task, (checked) => tell({ kind: 'progress', checked }));
    tell({ kind: 'outcome', outcome });
  } finally {
    await pool.end();
  }
}

if (parentPort) void verifyOnThread(parentPort, workerData as RangeThreadData);
