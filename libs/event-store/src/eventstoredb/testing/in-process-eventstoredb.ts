import {
  type AppendExpectedRevision,
  type EventData,
  EventStoreDBClient,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';

type Stored = { revision: bigint; id: string; type: string; data: unknown; metadata: unknown; streamId: string; created: Date };

/**
 * The part of an EventStoreDB server the adapter uses (append at an expected revision, read a
 * stream forwards), in this process, for unit tests of the adapter's own logic: several adapters
 * sharing one behave as several service processes. The real server runs in the Docker suites.
 */
export class InProcessEventStoreDb {
  private readonly streams = new Map<string, Stored[]>();

  client(): EventStoreDBClient {
    return {
      appendToStream: async (
        streamName: string,
        events: EventData | EventData[],
        options: { expectedRevision?: AppendExpectedRevision } = {},
      ) => {
        await Promise.resolve();
        return this.append(streamName, Array.isArray(events) ? events : [events], options.expectedRevision ?? 'any');
      },
      readStream: (streamName: string, options: { fromRevision?: bigint; maxCount?: number | bigint } = {}) =>
        this.read(streamName, options.fromRevision ?? 0n, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)),
      dispose: async () => undefined,
    } as unknown as EventStoreDBClient;
  }

  private append(streamName: string, events: EventData[], expected: AppendExpectedRevision) {
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length === 0 ? 'no_stream' : BigInt(stream.length - 1);
    if (expected !== 'any' && expected !== current) {
      throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    }
    for (const event of events) {
      // What goes over the wire is JSON: a stored event never shares objects with the caller.
      const { data, metadata } = JSON.parse(JSON.stringify({ data: event.data, metadata: event.metadata }));
      stream.push({
        revision: BigInt(stream.length),
        id: event.id,
        type: event.type,
        data,
        metadata,
        streamId: streamName,
        created: new Date(),
      });
    }
    this.streams.set(streamName, stream);
    return { success: true, nextExpectedRevision: BigInt(stream.length - 1), position: undefined };
  }

  private async *read(streamName: string, fromRevision: bigint, maxCount: number) {
    await Promise.resolve();
    const stream = this.streams.get(streamName);
    if (!stream) throw new StreamNotFoundError(undefined, streamName);
    for (const event of stream.slice(Number(fromRevision), Number(fromRevision) + maxCount)) {
      yield { event: { ...event, isJson: true } };
    }
  }
}
