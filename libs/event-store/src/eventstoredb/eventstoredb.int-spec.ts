import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { EventStoreDbServer, startEventStoreDb } from '@app/testing';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const unavailable = process.env.TEST_CONTAINERS_UNAVAILABLE;
if (unavailable) process.stdout.write(`SKIPPED the event store contract on a real EventStoreDB: ${unavailable}.\n`);

(unavailable ? describe.skip : describe)('on a real EventStoreDB server, in a container', () => {
  let server: EventStoreDbServer;
  let client: EventStoreDBClient;
  beforeAll(async () => {
    server = await startEventStoreDb();
    client = EventStoreDBClient.connectionString(server.url);
  }, 180_000);
  afterAll(async () => {
    await client?.dispose();
    await server?.stop();
  });

  // Each test gets an empty log of its own: a fresh stream on the one server.
  describeEventStoreContract('EventStoreDB', async () => {
    const store = new EventStoreDbEventStore(EventStoreDBClient.connectionString(server.url), { logStream: `log-${randomUUID()}` });
    return { store, dispose: () => store.close() };
  });
});
