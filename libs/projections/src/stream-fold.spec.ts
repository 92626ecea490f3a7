import { RecordedEvent } from '@app/event-store';
import { historyOf, liveTarget, shadowTarget } from './projection';
import { StreamFold } from './stream-fold';
import { countingProjection } from './testing/counting.projection';

const event = (streamId: string, version: number, position: number): RecordedEvent => ({
  position: BigInt(position),
  streamId,
  version,
  eventId: `e-${position}`,
  type: 'SomethingHappened',
  data: {},
  metadata: {},
  recordedAt: new Date(0),
  hash: '',
});

describe('a fold of the log stream by stream', () => {
  const counting = countingProjection(1, true);
  const history = shadowTarget(historyOf(counting));
  const current = liveTarget(counting);

  it('hands over each version once, ended by the next, and the current ones when their stream ends, by position', () => {
    const fold = new StreamFold(history, current);
    [event('s-b', 1, 9), event('s-b', 2, 100)].forEach((e) => fold.apply(e));
    expect(fold.pending).toBe(1);
    fold.endStream();
    [event('s-a', 1, 10), event('s-a', 2, 11)].forEach((e) => fold.apply(e));
    fold.endStream();
    const [[historyTarget, versions], [currentTarget, documents]] = fold.takeRows();
    expect(historyTarget).toBe(history);
    expect(versions.map(([key, position, , validTo, validToDay]) => [key, position, validTo, validToDay])).toEqual([
      ['s-b', '9', '100', '2026-01-02'],
      ['s-a', '10', '11', '2026-01-02'],
      ['s-a', '11', null, null],
      ['s-b', '100', null, null],
    ]);
    expect(currentTarget).toBe(current);
    expect(documents.map(([key, position, doc]) => [key, position, doc])).toEqual([
      ['s-b', '100', { count: 2, positions: ['9', '100'], day: '2026-01-02' }],
      ['s-a', '11', { count: 2, positions: ['10', '11'], day: '2026-01-02' }],
    ]);
    expect(fold.pending).toBe(0);
    expect(fold.takeRows().flatMap(([, rows]) => rows)).toEqual([]);
  });
});
