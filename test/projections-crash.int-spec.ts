import { ChildProcess } from 'node:child_process';
import { PostgresEventStore, migrate } from '@app/event-store';
import { READ_MODELS, actionList } from '@app/read-models';
import { SyntheticPartnership } from '../apps/cli/src/bench/synthetic-partnership';
import { countedEvents, countingProjection } from '@app/projections/testing';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { killHard, spawnTs, waitForLine } from './support/processes';
import { caughtUp, pause, rowsAndRebuilt, seededRandom } from './support/projection-checks';

const EVENTS = 20_000;
const KILLS = 20;
const PROJECTIONS = [...READ_MODELS, countingProjection()];

describe('the projection runner killed with SIGKILL at random moments', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(20);
    await migrate(database.pool);
  });
  afterAll(() => database.drop());

  it(`leaves read models equal, row for row, to a rebuild from scratch (${KILLS}+ kills over ${EVENTS} events)`, async () => {
    const store = new PostgresEventStore(database.pool);
    const random = seededRandom(2026);
    const partnership = new SyntheticPartnership(random);
    for (const append of partnership.setup()) await store.appendToStream(append.streamId, append.events, append);

    let written = 0;
    const writing = (async () => {
      // About 600 events a second, in bursts, so that the kills land all through the run.
      while (written < EVENTS) {
        const burst = Array.from({ length: 15 }, () => partnership.next());
        await Promise.all(burst.map((append) => store.appendToStream(append.streamId, append.events, append)));
        written += burst.length;
        await pause(20);
      }
    })();

    let kills = 0;
    let killedWhileLeading = 0;
    let child: ChildProcess | undefined;
    const env = { DATABASE_URL: database.url, BATCH_SIZE: '150' };
    try {
      while (written < EVENTS || kills < KILLS) {
        child = spawnTs('test/support/projection-runner.process.ts', env);
        await waitForLine(child, /^started/);
        const leading = waitForLine(child, /^leader/).then(
          () => true,
          () => false,
        );
        await pause(300 + random() * 900);
        await killHard(child);
        kills += 1;
        if (await leading) killedWhileLeading += 1;
      }
      await writing;
      child = spawnTs('test/support/projection-runner.process.ts', env);
      await waitForLine(child, /^leader/);
      await caughtUp(database.pool, store, PROJECTIONS, 60_000);
    } finally {
      if (child) await killHard(child);
    }

    expect(killedWhileLeading).toBeGreaterThanOrEqual(KILLS);
    const head = await store.headPosition();
    expect(Number(head)).toBeGreaterThanOrEqual(EVENTS);
    expect(await countedEvents(database.pool)).toBe(Number(head));
    const { live, rebuilt } = await rowsAndRebuilt(database.pool, store, PROJECTIONS);
    expect(live.map((rows) => rows.length)).toEqual(rebuilt.map((rows) => rows.length));
    expect(live[PROJECTIONS.indexOf(actionList)].length).toBeGreaterThan(1000);
    live.forEach((rows, index) => expect(rows).toEqual(rebuilt[index]));
  }, 240_000);
});
