import { Pool } from 'pg';
import { EVENT_LOG_CHANNEL, EventStore, EventStoreDbEventStore, PostgresEventStore } from '@app/event-store';
import { EventStoreConfig } from './config';

const REACH_TIMEOUT_MS = 10_000;

/**
 * The one place that chooses where events live. EventStoreDB is asked for its log at once, so that
 * a server that cannot be reached stops the start with one clear line.
 */
export async function openEventStore(
  config: EventStoreConfig,
  pool: Pool,
  onCommit: (appends: number, events: number) => void = () => undefined,
): Promise<EventStore> {
  if (config.eventStore !== 'eventstoredb') return new PostgresEventStore(pool, { onCommit });
  const store = EventStoreDbEventStore.connect(config.eventStoreDbUrl!, {
    logStream: config.eventStoreDbLogStream,
    onCommit: (appends, events) => {
      onCommit(appends, events);
      // The projection runners (in any instance) listen on the read models' database, as they do for PostgreSQL's own trigger.
      pool.query('SELECT pg_notify($1, $2)', [EVENT_LOG_CHANNEL, '']).catch(() => undefined);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REACH_TIMEOUT_MS / 1000} s`)), REACH_TIMEOUT_MS);
  });
  try {
    await Promise.race([store.head(), timeout]);
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    const host = new URL(config.eventStoreDbUrl!).host;
    throw new Error(`EventStoreDB at ${host} cannot be reached: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    clearTimeout(timer);
  }
}
