import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../libs/infrastructure/src/embedded-postgres';
import { containerRuntimeMissing, startEventStoreDb } from '../../libs/testing/src/eventstoredb';

type Stop = () => Promise<void>;

/**
 * One real PostgreSQL server for the whole run; each test file makes its own database on it. With
 * TEST_EVENT_STORE=eventstoredb, also one EventStoreDB server in a container, which the services
 * under test keep their events in (each in its own log stream).
 */
export default async function globalSetup(): Promise<void> {
  const stops: Stop[] = [];
  (globalThis as { stopTestServers?: Stop }).stopTestServers = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'learning-actions-test-'));
  const database = await startEmbeddedPostgres({ dataDir, persistent: false });
  stops.push(database.stop);
  process.env.TEST_DATABASE_URL = database.url;

  const missing = await containerRuntimeMissing();
  if (missing) process.env.TEST_CONTAINERS_UNAVAILABLE = missing;
  if (process.env.TEST_EVENT_STORE === 'eventstoredb') {
    if (missing) throw new Error(`TEST_EVENT_STORE=eventstoredb needs a container runtime, and there is ${missing}`);
    const server = await startEventStoreDb();
    stops.push(server.stop);
    process.env.TEST_EVENTSTOREDB_URL = server.url;
  }
}
