import { randomUUID } from 'node:crypto';
import { planAppends } from '../append-plan';
import { RecordedEvent, WrongExpectedVersion } from '../event-store.port';
import { GENESIS_HASH } from '../hash-chain';
import { anEvent, describeEventStoreContract, readEverything } from '../testing/event-store.contract';
import { verifyLog } from '@app/audit';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { LogIndex } from './log-index';
import { expectedLogRevision, fromLogEvent, logRevisionOf, positionOf, toEventData } from './log-mapping';
import { InProcessEventStoreDb } from './testing/in-process-eventstoredb';

const at = (iso: string) => new Date(iso);
const GENESIS = { position: 0n, hash: GENESIS_HASH, recordedAt: new Date(0) };
const nothingKnown = { versionOf: () => 0, isRecorded: () => false, liveClaim: () => undefined };

describe('EventStoreDB adapter: mapping our events to the log stream', () => {
  const claim = { scope: 'POST /actions', key: 'k-1', fingerprint: 'f', outcome: { status: 201 } };
  const plan = planAppends(
    GENESIS,
    at('2026-11-28T09:00:00.123Z'),
    [
      {
        streamId: 'action-a1',
        events: [anEvent('ActionRaised', { actionId: 'a1' }), anEvent('ActionAssigned')],
        options: { expectedVersion: 0, idempotency: claim },
      },
    ],
    nothingKnown,
  );
  const claimAt = new Map(plan.claims.map((record) => [record.position, record]));
  const stored = plan.events.map((event) => toEventData(event, claimAt.get(event.position)));
  // As EventStoreDB hands it back: the revision it assigned, and JSON that went over the wire.
  const readBack = stored.map((data, index) => ({
    ...JSON.parse(JSON.stringify({ data: data.data, metadata: data.metadata })),
    id: data.id,
    type: data.type,
    revision: BigInt(index),
  }));

  it('keeps our event id, type, data, stream, version, recorded time and hashes, and gives positions from revisions', () => {
    expect(stored.map((data) => data.id)).toEqual(plan.events.map((event) => event.event.eventId));
    const recorded = readBack.map((event) => fromLogEvent(event).event);
    expect(recorded).toEqual(
      plan.events.map(({ event, ...rest }): RecordedEvent => ({
        position: rest.position,
        streamId: 'action-a1',
        version: rest.version,
        eventId: event.eventId,
        type: event.type,
        data: event.data as RecordedEvent['data'],
        metadata: event.metadata,
        recordedAt: at('2026-11-28T09:00:00.123Z'),
        hash: rest.hash,
      })),
    );
    expect(recorded.map((event) => event.position)).toEqual([1n, 2n]);
  });

  it('carries the idempotency claim on the last event of its append, and correlation ids where EventStoreDB looks for them', () => {
    const [first, last] = readBack.map((event) => fromLogEvent(event));
    expect(first.claim).toBeUndefined();
    expect(last.claim).toEqual({ ...claim, streamId: 'action-a1', version: 2, position: 2n, createdAt: at('2026-11-28T09:00:00.123Z') });
    expect(stored[0].metadata).toMatchObject({ $correlationId: plan.events[0].event.metadata.correlationId });
  });

  it('translates positions to log revisions and back, and expects "no stream" for an empty log', () => {
    expect(expectedLogRevision(0n)).toBe('no_stream');
    expect(expectedLogRevision(1n)).toBe(0n);
    expect(expectedLogRevision(1_000_000n)).toBe(999_999n);
    expect(logRevisionOf(positionOf(41n))).toBe(41n);
  });

  it('refuses an event in the log that this service did not write', () => {
    expect(() => fromLogEvent({ revision: 0n, id: randomUUID(), type: 'Foreign', data: {}, metadata: {} })).toThrow(
      /not written by this service/,
    );
  });
});

describe('EventStoreDB adapter: the in-memory index of the log', () => {
  const event = (position: number, streamId: string, recordedAt: string): RecordedEvent => ({
    position: BigInt(position),
    streamId,
    version: 1,
    eventId: `e-${position}`,
    type: 'T',
    data: {},
    metadata: {},
    recordedAt: at(recordedAt),
    hash: `h-${position}`,
  });

  it('follows the log in order: versions, positions per stream, event ids and the tip', () => {
    const index = new LogIndex();
    index.apply(event(1, 's-1', '2026-01-01T00:00:00.000Z'));
    index.apply(event(2, 's-2', '2026-01-01T00:00:00.000Z'));
    index.apply(event(3, 's-1', '2026-01-01T00:00:01.000Z'));
    index.apply(event(2, 's-2', '2026-01-01T00:00:00.000Z'));
    expect(index.versionOf('s-1')).toBe(2);
    expect(index.versionOf('unknown')).toBe(0);
    expect(index.positionsOf('s-1')).toEqual([1, 3]);
    expect(index.isRecorded('e-2')).toBe(true);
    expect(index.tip).toEqual({ position: 3n, hash: 'h-3', recordedAt: at('2026-01-01T00:00:01.000Z') });
    expect(() => index.apply(event(5, 's-3', '2026-01-01T00:00:02.000Z'))).toThrow(/at position 3 and was handed position 5/);
  });

  it('finds the last position recorded by an instant with a binary search', () => {
    const index = new LogIndex();
    ['00.000', '00.000', '00.005', '01.000', '01.000'].forEach((seconds, i) =>
      index.apply(event(i + 1, 's', `2026-01-01T00:00:${seconds}Z`)),
    );
    expect(index.positionAt(at('2025-12-31T23:59:59.999Z'))).toBe(0n);
    expect(index.positionAt(at('2026-01-01T00:00:00.000Z'))).toBe(2n);
    expect(index.positionAt(at('2026-01-01T00:00:00.004Z'))).toBe(2n);
    expect(index.positionAt(at('2026-01-01T00:00:00.005Z'))).toBe(3n);
    expect(index.positionAt(at('2026-01-01T00:00:01.000Z'))).toBe(5n);
    expect(index.positionAt(at('2027-01-01T00:00:00.000Z'))).toBe(5n);
  });

  it('forgets idempotency claims older than the window', () => {
    let now = at('2026-01-01T00:00:00.000Z');
    const index = new LogIndex(() => now, 60_000);
    const claim = { scope: 's', key: 'k', fingerprint: 'f', outcome: {}, streamId: 's', version: 1, position: 1n, createdAt: now };
    index.apply(event(1, 's', '2026-01-01T00:00:00.000Z'), claim);
    expect(index.liveClaim('s', 'k')).toEqual(claim);
    now = at('2026-01-01T00:01:00.000Z');
    expect(index.liveClaim('s', 'k')).toBeUndefined();
  });
});

// The adapter's own logic, every rule of the port, against EventStoreDB's append and read semantics
// simulated in this process. The same suite runs against a real server in eventstoredb.int-spec.ts.
describeEventStoreContract('EventStoreDB adapter over an in-process log', async () => {
  const store = new EventStoreDbEventStore(new InProcessEventStoreDb().client());
  return { store, dispose: () => store.close() };
});

describe('EventStoreDB adapter: several processes writing to one log', () => {
  it('keeps one gap-free, verifiable order, each process deciding again when another moved the log first', async () => {
    const server = new InProcessEventStoreDb();
    const processes = Array.from({ length: 3 }, () => new EventStoreDbEventStore(server.client()));
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        processes[i % 3].appendToStream(`s-${i % 7}-${Math.floor(i / 21)}`, [anEvent()], { expectedVersion: 0 }).then(
          (result) => result,
          (error: unknown) => error,
        ),
      ),
    );
    const refused = results.filter((result) => result instanceof WrongExpectedVersion);
    expect(results.length - refused.length).toBe(21);
    const log = await readEverything(processes[2]);
    expect(log.map((event) => event.position)).toEqual(Array.from({ length: 21 }, (_, i) => BigInt(i + 1)));
    expect(await verifyLog(processes[1])).toMatchObject({ ok: true, checked: 21 });
    expect((await processes[0].readStream('s-3-1')).version).toBe(1);
  });
});
