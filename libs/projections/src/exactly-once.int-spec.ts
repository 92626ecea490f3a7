import { PostgresEventStore, WrongExpectedVersion, migrate } from '@app/event-store';
import { createTestDatabase } from '@app/testing';
import { anEvent } from '@app/event-store/testing';
import { readCheckpoints } from './checkpoints';
import { ProjectionRunner } from './projection-runner';
import { countingProjection } from './testing/counting.projection';

const WRITERS = 64;
const SECONDS = Number(process.env.EXACTLY_ONCE_SECONDS ?? 10);
const ROUNDS = Number(process.env.EXACTLY_ONCE_ROUNDS ?? 10);

describe(`every acknowledged event reflected exactly once: ${WRITERS} writers for ${SECONDS} s while the runner follows`, () => {
  it.each(Array.from({ length: ROUNDS }, (_, index) => index + 1))(
    'round %i',
    async () => {
      const database = await createTestDatabase(WRITERS + 10);
      try {
        await migrate(database.pool);
        const store = new PostgresEventStore(database.pool);
        const runner = new ProjectionRunner({ pool: database.pool, store, projections: [countingProjection()], batchSize: 100 });
        runner.start();
        let acknowledged = 0;
        let refused = 0;
        const until = Date.now() + SECONDS * 1000;
        const midway = new Promise<bigint>((resolve) =>
          setTimeout(
            async () => resolve((await readCheckpoints(database.pool, ['event-counts'])).get('event-counts')!.position),
            (SECONDS * 1000) / 2,
          ),
        );
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, writer) => {
            for (let stream = 0; Date.now() < until; stream++) {
              let version = 0;
              for (let append = 0; append < 5 && Date.now() < until; append++) {
                const events = Array.from({ length: 1 + (append % 3) }, () => anEvent());
                // One append in twenty claims a stale version: the store refuses it, and it must not be counted.
                const stale = Math.random() < 0.05 && version > 0;
                try {
                  await store.appendToStream(`w${writer}-${stream}`, events, { expectedVersion: stale ? version - 1 : version });
                  version += events.length;
                  acknowledged += events.length;
                } catch (error) {
                  if (!(error instanceof WrongExpectedVersion)) throw error;
                  refused += 1;
                }
              }
            }
          }),
        );
        const head = await store.headPosition();
        const deadline = Date.now() + 30_000;
        while ((await readCheckpoints(database.pool, ['event-counts'])).get('event-counts')!.position < head) {
          if (Date.now() > deadline) throw new Error('the runner did not catch up within 30 s');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await runner.stop();

        const { rows } = await database.pool.query<{ doc: { count: number; positions: string[] } }>('SELECT doc FROM event_counts');
        const positions = rows.flatMap((row) => row.doc.positions.map(Number)).sort((a, b) => a - b);
        expect(await midway).toBeGreaterThan(0n);
        expect(refused).toBeGreaterThan(0);
        expect(Number(head)).toBe(acknowledged);
        expect(rows.reduce((sum, row) => sum + row.doc.count, 0)).toBe(acknowledged);
        expect(positions).toEqual(Array.from({ length: acknowledged }, (_, index) => index + 1));
      } finally {
        await database.drop();
      }
    },
    120_000,
  );
});
