import { GenericContainer, StartedTestContainer, Wait, getContainerRuntimeClient } from 'testcontainers';

/** The official image, one insecure in-memory node: what the suites need, started in seconds. */
export const EVENTSTOREDB_IMAGE = process.env.EVENTSTOREDB_IMAGE ?? 'eventstore/eventstore:24.10';

/** Why the EventStoreDB suites cannot run here, or undefined when a container runtime answers. */
export async function containerRuntimeMissing(): Promise<string | undefined> {
  try {
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `no container runtime (Docker or Podman) answers here: ${(error as Error).message.split('\n')[0]}`;
  }
}

export type EventStoreDbServer = Readonly<{ url: string; stop: () => Promise<void> }>;

export async function startEventStoreDb(): Promise<EventStoreDbServer> {
  const container: StartedTestContainer = await new GenericContainer(EVENTSTOREDB_IMAGE)
    .withEnvironment({
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_ENABLE_ATOM_PUB_OVER_HTTP: 'false',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
    .withStartupTimeout(120_000)
    .start();
  return {
    url: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
    stop: async () => {
      await container.stop();
    },
  };
}
