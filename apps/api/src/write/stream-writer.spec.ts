import { StateConflict, requireRecordable, reviewDecider, reviewStream } from '@app/domain';
import { InMemoryEventStore } from '@app/event-store';
import { StreamWriter } from './stream-writer';
import { WriteContext } from './write-context';

const context: WriteContext = { actor: { userId: 'u-1', name: 'Subgroup member', roles: ['subgroup'] }, correlationId: 'c-1' };
const register = (title: string) => ({
  type: 'RegisterReview' as const,
  reviewId: 'r-1',
  reference: 'CSPR-1',
  title,
  kind: 'cspr' as const,
  themes: [],
});

describe('StreamWriter', () => {
  let store: InMemoryEventStore;
  let writer: StreamWriter;
  let reads: number;

  beforeEach(() => {
    store = new InMemoryEventStore();
    const readStream = store.readStream.bind(store);
    reads = 0;
    store.readStream = (streamId) => {
      reads += 1;
      return readStream(streamId);
    };
    writer = new StreamWriter(store, requireRecordable);
  });

  const write = (title: string, newStream: boolean) =>
    writer.execute({
      decider: reviewDecider,
      streamId: reviewStream('r-1'),
      command: register(title),
      context,
      answer: { id: 'r-1' },
      newStream,
    });

  it('does not read a stream made for the write, and appends at version 0', async () => {
    await expect(write('Child A', true)).resolves.toMatchObject({ id: 'r-1', version: 1 });
    expect(reads).toBe(0);
    expect((await store.readStream(reviewStream('r-1'))).events.map((event) => event.type)).toEqual(['ReviewRegistered']);
  });

  it('decides again on what is there when a stream thought new is not', async () => {
    await write('Child A', false);
    reads = 0;
    await expect(write('Child B', true)).rejects.toBeInstanceOf(StateConflict);
    expect(reads).toBe(1);
    await expect(write('Child A', true)).resolves.toMatchObject({ id: 'r-1', version: 1 });
    expect((await store.readStream(reviewStream('r-1'))).version).toBe(1);
  });
});
