import { randomUUID } from 'node:crypto';
import { DuplicateEventId, EventStore, IdempotencyKeyTaken, NewEvent, RecordedEvent, WrongExpectedVersion } from '../event-store.port';
import { GENESIS_HASH, chainHash } from '../hash-chain';
import { verifyLog } from '@app/audit';

export type StoreUnderTest = Readonly<{ store: EventStore; dispose: () => Promise<void> }>;

export const anEvent = (type = 'SomethingHappened', data: object = { n: 1 }): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: { actor: { sub: 'user-1', name: 'Test User', roles: ['subgroup'] }, correlationId: randomUUID() },
});

export async function readEverything(store: EventStore, batch = 1000): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let page = await store.readAll(0n, batch); page.length > 0; page = await store.readAll(all.at(-1)!.position, batch)) {
    all.push(...page);
  }
  return all;
}

/**
 * The behaviour every EventStore adapter must show. Each adapter's spec calls this with a factory
 * that gives a fresh, empty store.
 */
export function describeEventStoreContract(adapter: string, createStore: () => Promise<StoreUnderTest>): void {
  describe(`${adapter} event store contract`, () => {
    let subject: StoreUnderTest;
    let store: EventStore;
    const stream = () => `test-${randomUUID()}`;

    beforeEach(async () => {
      subject = await createStore();
      store = subject.store;
    });
    afterEach(() => subject.dispose());

    it('reads back what was appended, with versions from 1 and global positions', async () => {
      const id = stream();
      const first = anEvent('Opened', { title: 'Child R', tags: ['neglect'], nested: { b: 2, a: 1 } });
      const second = anEvent('Closed', { reason: 'done' });
      const result = await store.appendToStream(id, [first, second], { expectedVersion: 0 });

      expect(result).toEqual({ streamId: id, version: 2, position: 2n });
      const read = await store.readStream(id);
      expect(read.version).toBe(2);
      expect(read.events.map((e) => [e.version, e.position, e.type, e.eventId])).toEqual([
        [1, 1n, 'Opened', first.eventId],
        [2, 2n, 'Closed', second.eventId],
      ]);
      expect(read.events[0].data).toEqual(first.data);
      expect(read.events[0].metadata).toEqual(first.metadata);
      expect(read.events[0].recordedAt).toBeInstanceOf(Date);
      expect(await store.headPosition()).toBe(2n);
    });

    it('answers an unknown stream with version 0 and no events', async () => {
      expect(await store.readStream(stream())).toEqual({ version: 0, events: [] });
    });

    it('refuses an append whose expected version is not the stream version, and writes nothing', async () => {
      const id = stream();
      await store.appendToStream(id, [anEvent(), anEvent()], { expectedVersion: 0 });

      await expect(store.appendToStream(id, [anEvent()], { expectedVersion: 0 })).rejects.toEqual(new WrongExpectedVersion(id, 0, 2));
      await expect(store.appendToStream(id, [anEvent()], { expectedVersion: 3 })).rejects.toBeInstanceOf(WrongExpectedVersion);
      await expect(store.appendToStream(stream(), [anEvent()], { expectedVersion: 1 })).rejects.toBeInstanceOf(WrongExpectedVersion);
      expect(await store.headPosition()).toBe(2n);
      expect((await store.appendToStream(id, [anEvent()], { expectedVersion: 2 })).version).toBe(3);
    });

    it('lets exactly one of many concurrent writers to one stream win', async () => {
      const id = stream();
      const attempts = await Promise.allSettled(
        Array.from({ length: 24 }, () => store.appendToStream(id, [anEvent()], { expectedVersion: 0 })),
      );
      const won = attempts.filter((a) => a.status === 'fulfilled');
      const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((a) => a.reason instanceof WrongExpectedVersion)).toBe(true);
      expect((await store.readStream(id)).version).toBe(1);
    });

    it('keeps one global order without gaps under concurrent writers, and each refusal to itself', async () => {
      const streams = Array.from({ length: 40 }, stream);
      const conflicting = stream();
      await store.appendToStream(conflicting, [anEvent()], { expectedVersion: 0 });
      const results = await Promise.allSettled([
        ...streams.map((id) => store.appendToStream(id, [anEvent(), anEvent(), anEvent()], { expectedVersion: 0 })),
        store.appendToStream(conflicting, [anEvent()], { expectedVersion: 0 }),
      ]);

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(streams.length);
      expect(results.at(-1)).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedVersion) });
      const all = await readEverything(store, 7);
      expect(all.map((e) => e.position)).toEqual(Array.from({ length: 1 + streams.length * 3 }, (_, i) => BigInt(i + 1)));
      for (const id of streams) {
        expect(all.filter((e) => e.streamId === id).map((e) => e.version)).toEqual([1, 2, 3]);
      }
    });

    it('checks each append sent together against the ones before it, as if each came alone', async () => {
      // The first append is written at once; those after it wait, and a store that commits in
      // groups takes them together.
      const [first, second, claiming, claimingAgain, empty] = Array.from({ length: 5 }, stream);
      const shared = anEvent();
      const twice = anEvent();
      const claim = { scope: 'user-1', key: `key-${randomUUID()}`, fingerprint: 'abc', outcome: {} };
      const results = await Promise.allSettled([
        store.appendToStream(stream(), [anEvent()], { expectedVersion: 0 }),
        store.appendToStream(first, [shared], { expectedVersion: 0 }),
        store.appendToStream(first, [anEvent(), anEvent()], { expectedVersion: 1 }),
        store.appendToStream(first, [anEvent()], { expectedVersion: 1 }),
        store.appendToStream(second, [anEvent(), shared], { expectedVersion: 0 }),
        store.appendToStream(second, [twice, anEvent(), twice], { expectedVersion: 0 }),
        store.appendToStream(claiming, [anEvent()], { expectedVersion: 0, idempotency: claim }),
        store.appendToStream(claimingAgain, [anEvent()], { expectedVersion: 0, idempotency: { ...claim, fingerprint: 'def' } }),
        store.appendToStream(second, [anEvent()], { expectedVersion: 0 }),
        store.appendToStream(empty, [anEvent()], { expectedVersion: 1 }),
      ]);

      const outcome = (result: PromiseSettledResult<unknown>) => (result.status === 'fulfilled' ? result.value : result.reason);
      expect(results.map(outcome)).toEqual([
        expect.objectContaining({ version: 1, position: 1n }),
        { streamId: first, version: 1, position: 2n },
        { streamId: first, version: 3, position: 4n },
        new WrongExpectedVersion(first, 1, 3),
        new DuplicateEventId(shared.eventId),
        new DuplicateEventId(twice.eventId),
        { streamId: claiming, version: 1, position: 5n },
        expect.any(IdempotencyKeyTaken),
        { streamId: second, version: 1, position: 6n },
        new WrongExpectedVersion(empty, 1, 0),
      ]);
      expect((outcome(results[7]) as IdempotencyKeyTaken).record).toMatchObject({ ...claim, streamId: claiming, version: 1, position: 5n });
      const all = await readEverything(store);
      expect(all.map((event) => [event.streamId, event.version])).toEqual([
        [all[0].streamId, 1],
        [first, 1],
        [first, 2],
        [first, 3],
        [claiming, 1],
        [second, 1],
      ]);
      expect(await verifyLog(store)).toMatchObject({ ok: true, checked: all.length });
    });

    it('resumes reading all events from any checkpoint', async () => {
      for (let i = 0; i < 5; i++) await store.appendToStream(stream(), [anEvent('E', { i })], { expectedVersion: 0 });
      const afterTwo = await store.readAll(2n, 2);
      expect(afterTwo.map((e) => [e.position, e.data])).toEqual([
        [3n, { i: 2 }],
        [4n, { i: 3 }],
      ]);
      expect(await store.readAll(5n, 10)).toEqual([]);
    });

    it('filters the whole log by who recorded it, when and what, and says where it ends', async () => {
      expect(await store.head()).toEqual({ position: 0n, hash: GENESIS_HASH });
      const by = (sub: string): NewEvent => ({ ...anEvent(), metadata: { actor: { sub, name: sub, roles: ['subgroup'] } } });
      await store.appendToStream(stream(), [by('ann'), by('bob')], { expectedVersion: 0 });
      const [first, second] = await store.readAll(0n, 10);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.appendToStream(stream(), [by('ann')], { expectedVersion: 0 });
      const [, , third] = await store.readAll(0n, 10);
      expect((await store.readAll(0n, 10, { actor: 'ann' })).map((e) => e.position)).toEqual([1n, 3n]);
      expect((await store.readAll(1n, 10, { actor: 'ann' })).map((e) => e.position)).toEqual([3n]);
      expect((await store.readAll(0n, 10, { recordedFrom: third.recordedAt })).map((e) => e.position)).toEqual([3n]);
      expect((await store.readAll(0n, 10, { recordedTo: second.recordedAt })).map((e) => e.position)).toEqual([1n, 2n]);
      expect(first.recordedAt <= second.recordedAt).toBe(true);
      expect(await store.head()).toEqual({ position: 3n, hash: third.hash });
      expect(await store.positionAt(new Date(first.recordedAt.getTime() - 1))).toBe(0n);
      expect(await store.positionAt(second.recordedAt)).toBe(2n);
      expect(await store.positionAt(new Date(third.recordedAt.getTime() - 1))).toBe(2n);
      expect(await store.positionAt(third.recordedAt)).toBe(3n);
      expect(await store.positionAt(new Date(third.recordedAt.getTime() + 60_000))).toBe(3n);
      await store.appendToStream(stream(), [anEvent('Other')], { expectedVersion: 0 });
      expect((await store.readAll(0n, 10, { types: ['Other'] })).map((e) => e.position)).toEqual([4n]);
      expect((await store.readAll(0n, 10, { types: ['Other', 'SomethingHappened'], actor: 'ann' })).map((e) => e.position)).toEqual([
        1n,
        3n,
      ]);
      expect(await store.readAll(0n, 10, { types: [] })).toEqual([]);
      const [, , , fourth] = await store.readAll(0n, 10);
      expect((await store.readAll(0n, 10, { streamId: fourth.streamId })).map((e) => e.position)).toEqual([4n]);
      expect((await store.readAll(0n, 10, { streamId: first.streamId, actor: 'bob' })).map((e) => e.position)).toEqual([2n]);
    });

    it('refuses an event id that was recorded before, or twice in one append', async () => {
      const repeated = anEvent();
      await store.appendToStream(stream(), [repeated], { expectedVersion: 0 });

      await expect(store.appendToStream(stream(), [anEvent(), repeated], { expectedVersion: 0 })).rejects.toEqual(
        new DuplicateEventId(repeated.eventId),
      );
      const twice = anEvent();
      await expect(store.appendToStream(stream(), [twice, twice], { expectedVersion: 0 })).rejects.toBeInstanceOf(DuplicateEventId);
      expect(await store.headPosition()).toBe(1n);
    });

    it('stores an idempotency claim with its events and refuses the key a second time', async () => {
      const claim = { scope: 'user-1', key: 'key-1', fingerprint: 'abc', outcome: { id: 'x' } };
      const id = stream();
      const result = await store.appendToStream(id, [anEvent()], { expectedVersion: 0, idempotency: claim });

      const record = await store.findIdempotency('user-1', 'key-1');
      expect(record).toMatchObject({ ...claim, streamId: id, version: 1, position: result.position });
      expect(await store.findIdempotency('user-2', 'key-1')).toBeUndefined();
      await expect(
        store.appendToStream(stream(), [anEvent()], { expectedVersion: 0, idempotency: { ...claim, fingerprint: 'def' } }),
      ).rejects.toEqual(new IdempotencyKeyTaken(record!));
      expect(await store.headPosition()).toBe(1n);
    });

    it('keeps text exactly as given, whatever quotes, backslashes or SQL it holds', async () => {
      const awkward = `it's \\ "quoted" \\' ; DROP TABLE events; -- \\x00 é ✓ \u{1F600}`;
      const id = `${stream()}-'${awkward}`;
      const event = anEvent(`Type'${awkward}`, { [awkward]: awkward, list: [awkward, "E'\\\\'"] });
      const claim = { scope: `user'${awkward}`, key: `key'${awkward}`, fingerprint: "f'\\", outcome: { id: awkward } };
      await store.appendToStream(id, [event], { expectedVersion: 0, idempotency: claim });

      const [read] = (await store.readStream(id)).events;
      expect([read.streamId, read.type, read.data, read.metadata]).toEqual([id, event.type, event.data, event.metadata]);
      expect(read.hash).toBe(chainHash(GENESIS_HASH, read));
      expect(await store.findIdempotency(claim.scope, claim.key)).toMatchObject({ fingerprint: claim.fingerprint, outcome: claim.outcome });
    });

    it('appends to several streams at once, all or nothing', async () => {
      const [first, second, existing] = [stream(), stream(), stream()];
      await store.appendToStream(existing, [anEvent()], { expectedVersion: 0 });
      const together = await store.appendToStreams([
        { streamId: first, events: [anEvent('A'), anEvent('B')], options: { expectedVersion: 0 } },
        { streamId: existing, events: [anEvent('C')], options: { expectedVersion: 1 } },
        { streamId: second, events: [anEvent('D')], options: { expectedVersion: 0 } },
      ]);
      expect(together).toEqual([
        { streamId: first, version: 2, position: 3n },
        { streamId: existing, version: 2, position: 4n },
        { streamId: second, version: 1, position: 5n },
      ]);

      const refused = [stream(), stream()];
      const repeated = anEvent();
      await expect(
        store.appendToStreams([
          { streamId: refused[0], events: [anEvent(), repeated], options: { expectedVersion: 0 } },
          { streamId: second, events: [anEvent()], options: { expectedVersion: 0 } },
        ]),
      ).rejects.toEqual(new WrongExpectedVersion(second, 0, 1));
      await expect(
        store.appendToStreams([
          { streamId: refused[1], events: [anEvent()], options: { expectedVersion: 0 } },
          { streamId: refused[0], events: [repeated, repeated], options: { expectedVersion: 0 } },
        ]),
      ).rejects.toBeInstanceOf(DuplicateEventId);
      expect(await store.headPosition()).toBe(5n);
      expect(await store.readStream(refused[0])).toEqual({ version: 0, events: [] });
      expect(await store.readStream(refused[1])).toEqual({ version: 0, events: [] });
      await store.appendToStream(refused[0], [repeated], { expectedVersion: 0 });
      expect(await verifyLog(store)).toMatchObject({ ok: true, checked: 6 });
    });

    it('writes nothing of a large append to many streams when its last append is refused', async () => {
      const taken = stream();
      await store.appendToStream(taken, [anEvent()], { expectedVersion: 0 });
      const many = Array.from({ length: 450 }, () => ({
        streamId: stream(),
        events: [anEvent(), anEvent()],
        options: { expectedVersion: 0 },
      }));
      await expect(
        store.appendToStreams([...many, { streamId: taken, events: [anEvent()], options: { expectedVersion: 0 } }]),
      ).rejects.toEqual(new WrongExpectedVersion(taken, 0, 1));
      expect(await store.headPosition()).toBe(1n);
      expect(await store.readStream(many[0].streamId)).toEqual({ version: 0, events: [] });
      const written = await store.appendToStreams(many);
      expect(written.at(-1)).toEqual({ streamId: many.at(-1)!.streamId, version: 2, position: 901n });
      expect(await verifyLog(store)).toMatchObject({ ok: true, checked: 901 });
    });

    it('chains every event to the one before by its hash, from the first', async () => {
      await store.appendToStream(stream(), [anEvent('A', { text: 'é ✓ "quoted"' }), anEvent('B')], { expectedVersion: 0 });
      await store.appendToStream(stream(), [anEvent('C', { list: [3, 1.5, null] })], { expectedVersion: 0 });
      let previous = GENESIS_HASH;
      for (const event of await readEverything(store)) {
        expect(event.hash).toBe(chainHash(previous, event));
        previous = event.hash;
      }
    });
  });
}
