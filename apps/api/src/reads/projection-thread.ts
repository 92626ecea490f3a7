import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { ProjectionRunner, RebuildProgress } from '@app/projections';
import { READ_MODELS } from '@app/read-models';
import { createPool, EventStoreConfig, openEventStore } from '@app/infrastructure';

export type ProjectionThreadData = Readonly<{ databaseUrl: string; eventStore: EventStoreConfig }>;

/** What the thread tells the service: each batch applied, leadership won or lost, rebuilds, errors. */
export type ProjectionThreadMessage =
  | Readonly<{ kind: 'started' }>
  /** Instants as epoch milliseconds: when each event was recorded, and when the read models had the batch. */
  | Readonly<{ kind: 'applied'; recordedAt: number[]; appliedAt: number; position: bigint; hash: string }>
  | Readonly<{ kind: 'leadership'; leading: boolean }>
  | Readonly<{ kind: 'rebuild'; progress: RebuildProgress }>
  | Readonly<{ kind: 'error'; error: unknown }>;

export const STOP_PROJECTIONS = 'stop';

/**
 * The projection runner, on a thread of its own with its own connections: its round trips to the
 * database then never wait behind the requests queued on the service's event loop, which under
 * load was most of the time from an event being recorded to the read models having it.
 */
async function runProjections(port: MessagePort, { databaseUrl, eventStore }: ProjectionThreadData): Promise<void> {
  const pool = createPool(databaseUrl);
  const store = await openEventStore(eventStore, pool);
  const tell = (message: ProjectionThreadMessage) => port.postMessage(message);
  const runner = new ProjectionRunner({
    pool,
    store,
    projections: READ_MODELS,
    onApplied: (events) => {
      const last = events[events.length - 1];
      const recordedAt = events.map((event) => event.recordedAt.getTime());
      tell({ kind: 'applied', recordedAt, appliedAt: Date.now(), position: last.position, hash: last.hash });
    },
    onLeadership: (leading) => tell({ kind: 'leadership', leading }),
    onRebuild: (progress) => tell({ kind: 'rebuild', progress }),
    onError: (error) => tell({ kind: 'error', error }),
  });
  port.on('message', (message) => {
    if (message !== STOP_PROJECTIONS) return;
    void runner
      .stop()
      .then(() => store.close())
      .finally(() => pool.end())
      .finally(() => process.exit(0));
  });
  runner.start();
  tell({ kind: 'started' });
}

if (parentPort) void runProjections(parentPort, workerData as ProjectionThreadData);
