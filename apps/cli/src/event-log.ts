import { Pool } from 'pg';
import { EventStore } from '@app/event-store';
import { loadDatabaseConfig, loadEventStoreConfig, openDatabase, openEventStore } from '@app/infrastructure';

/**
 * Runs `work` against the service's own stores, chosen by the same variables: the PostgreSQL
 * database (DATABASE_URL, or the embedded server under DATA_DIR) and the event store it is
 * configured with (EVENT_STORE), then closes both.
 */
export async function withEventLog<T>(work: (pool: Pool, store: EventStore) => Promise<T>): Promise<T> {
  const eventStore = loadEventStoreConfig(process.env);
  const database = await openDatabase(loadDatabaseConfig(process.env), (line) => process.stderr.write(`${line}\n`));
  try {
    const store = await openEventStore(eventStore, database.pool);
    try {
      return await work(database.pool, store);
    } finally {
      await store.close();
    }
  } finally {
    await database.close();
  }
}
