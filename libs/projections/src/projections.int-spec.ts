import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { PostgresEventStore, migrate } from '@app/event-store';
import { PlanNode, TestDatabase, createTestDatabase, explainingPool, planNodes } from '@app/testing';
import { anEvent } from '@app/event-store/testing';
import { catchUp } from './catch-up';
import { applyBatch, ensureProjectionSchema, readCheckpoints } from './checkpoints';
import { DocumentChanges, copyDocuments, writeDocuments } from './document-table';
import { ProjectionTarget, historyOf, liveTarget, validAt, validOn } from './projection';
import { ProjectionRunner } from './projection-runner';
import { rebuildProjections } from './rebuild';
import { countedEvents, countingProjection } from './testing/counting.projection';
import { inTransaction } from './transaction';

const until = async (condition: () => Promise<boolean>, timeoutMs = 5000): Promise<number> => {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
};

describe('projections on PostgreSQL', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const append = (streamId = `s-${randomUUID()}`, count = 1) =>
    store.appendToStream(
      streamId,
      Array.from({ length: count }, () => anEvent()),
      { expectedVersion: 0 },
    );

  beforeEach(async () => {
    database = await createTestDatabase(20);
    await migrate(database.pool);
    store = new PostgresEventStore(database.pool);
  });
  afterEach(() => database.drop());

  it('changes nothing when the same events are applied again', async () => {
    const projection = countingProjection();
    await ensureProjectionSchema(database.pool, [projection]);
    await append('s-1', 3);
    await append('s-2', 2);
    const events = await store.readAll(0n, 100);
    const target = liveTarget(projection);
    await inTransaction(database.pool, (client) => applyBatch(client, [target], events));
    const once = (await database.pool.query('SELECT key, position, doc FROM event_counts ORDER BY key')).rows;
    await database.pool.query("UPDATE projection_checkpoints SET position = 0 WHERE name = 'event-counts'");
    await inTransaction(database.pool, (client) => applyBatch(client, [target], events));
    await inTransaction(database.pool, (client) => applyBatch(client, [target], events.slice(2)));
    expect((await database.pool.query('SELECT key, position, doc FROM event_counts ORDER BY key')).rows).toEqual(once);
    expect(once.map((row) => row.doc.count)).toEqual([3, 2]);
    expect((await readCheckpoints(database.pool, ['event-counts'])).get('event-counts')?.position).toBe(5n);
  });

  it.each([
    ['by statement, standard_conforming_strings on', 'on', writeDocuments],
    ['by statement, standard_conforming_strings off', 'off', writeDocuments],
    [
      'by COPY',
      'on',
      (client: PoolClient, target: ProjectionTarget, changes: DocumentChanges) => copyDocuments(client, target, changes.rows),
    ],
  ])('writes documents with quotes, backslashes and any text exactly (%s)', async (_, conforming, write) => {
    const projection = countingProjection();
    await ensureProjectionSchema(database.pool, [projection]);
    const texts = ["it's", "''", '\\', "\\'", "E'\\n'", '$$ $1 ;--', 'é 😀 \n\t\r "quoted"', "key's \\ key", '\\N', ''];
    const rows = texts.map((text, index): [string, string, object] => [texts[(index + 1) % texts.length], String(index + 1), { text }]);
    await inTransaction(database.pool, async (client) => {
      await client.query(`SET LOCAL standard_conforming_strings TO ${conforming}`);
      await write(client, liveTarget(projection), { rows, closings: [] });
    });
    const stored = await database.pool.query('SELECT key, position, doc FROM event_counts ORDER BY position');
    expect(stored.rows.map((row) => [row.key, row.position, row.doc])).toEqual(rows);
  });

  describe('a projection that keeps history', () => {
    const counting = countingProjection();
    const history = historyOf(counting);
    const versions = async () =>
      (
        await database.pool.query(
          "SELECT key, position, valid_to, doc->>'count' AS count, day, valid_to_day FROM event_counts_history ORDER BY key, position",
        )
      ).rows.map((row) => {
        expect([row.day, row.valid_to_day]).toEqual([
          dayOfCount(Number(row.count)),
          row.valid_to === null ? null : dayOfCount(Number(row.count) + 1),
        ]);
        return [row.key, Number(row.position), row.valid_to === null ? null : Number(row.valid_to), Number(row.count)];
      });
    const dayOfCount = (count: number) => `2026-01-0${count}`;
    const countsOn = async (day: string) =>
      (
        await database.pool.query(`SELECT key, doc->>'count' AS count FROM event_counts_history WHERE ${validOn('$1')} ORDER BY key`, [day])
      ).rows.map((row) => [row.key, Number(row.count)]);
    const countsAt = async (position: number) =>
      (
        await database.pool.query(
          `SELECT key, doc->>'count' AS count FROM event_counts_history WHERE ${validAt('$1::bigint')} ORDER BY key`,
          [position],
        )
      ).rows.map((row) => [row.key, Number(row.count)]);
    const EXPECTED = [
      ['s-1', 1, 2, 1],
      ['s-1', 2, 4, 2],
      ['s-1', 4, null, 3],
      ['s-2', 3, 5, 1],
      ['s-2', 5, null, 2],
    ];

    beforeEach(async () => {
      await ensureProjectionSchema(database.pool, [history]);
      await append('s-1', 2);
      await append('s-2', 1);
      await store.appendToStream('s-1', [anEvent()], { expectedVersion: 2 });
      await store.appendToStream('s-2', [anEvent()], { expectedVersion: 1 });
    });

    it('keeps every version, valid from its event to the next, across batches and when applied again', async () => {
      const events = await store.readAll(0n, 100);
      const target = liveTarget(history);
      await inTransaction(database.pool, (client) => applyBatch(client, [target], events.slice(0, 3)));
      await inTransaction(database.pool, (client) => applyBatch(client, [target], events.slice(3)));
      expect(await versions()).toEqual(EXPECTED);
      await database.pool.query("UPDATE projection_checkpoints SET position = 0 WHERE name = 'event-counts-history'");
      await inTransaction(database.pool, (client) => applyBatch(client, [target], events));
      expect(await versions()).toEqual(EXPECTED);
      expect(await countsAt(0)).toEqual([]);
      expect(await countsAt(3)).toEqual([
        ['s-1', 2],
        ['s-2', 1],
      ]);
      expect(await countsAt(4)).toEqual([
        ['s-1', 3],
        ['s-2', 1],
      ]);
      expect(await countsAt(99)).toEqual([
        ['s-1', 3],
        ['s-2', 2],
      ]);
      expect(await countsOn('2025-12-31')).toEqual([]);
      expect(await countsOn('2026-01-02')).toEqual([
        ['s-1', 2],
        ['s-2', 2],
      ]);
      expect(await countsOn('2026-12-31')).toEqual([
        ['s-1', 3],
        ['s-2', 2],
      ]);
    });

    it.each([
      ['in global order, holding one document in memory at a time', false, { capacity: 1, flushEvery: 1 }],
      ['stream by stream, writing once', true, {}],
      ['stream by stream, writing often', true, { flushEvery: 1 }],
    ])('rebuilds the same versions, %s', async (_, keyedWithinStream, options) => {
      await rebuildProjections(database.pool, store, [historyOf(countingProjection(1, keyedWithinStream))], { batchSize: 2, ...options });
      expect(await versions()).toEqual(EXPECTED);
      expect(await countsAt(3)).toEqual([
        ['s-1', 2],
        ['s-2', 1],
      ]);
      expect(await countsOn('2026-01-01')).toEqual([
        ['s-1', 1],
        ['s-2', 1],
      ]);
    });

    it('writes the versions of each write in the order of their positions, as the runner does, whatever order they were folded in', async () => {
      await rebuildProjections(database.pool, store, [historyOf(countingProjection(1, true))]);
      const stored = await database.pool.query('SELECT position FROM event_counts_history ORDER BY ctid');
      expect(stored.rows.map((row) => Number(row.position))).toEqual([1, 2, 3, 4, 5]);
    });

    it.each([
      ['copied from the history', false],
      ['folded with the history, stream by stream', true],
    ])(
      'rebuilds the projection with its history, its documents the versions still valid, as kept live (%s)',
      async (_, keyedWithinStream) => {
        const counting = countingProjection(1, keyedWithinStream);
        const history = historyOf(counting);
        await ensureProjectionSchema(database.pool, [counting]);
        const documents = async () => (await database.pool.query('SELECT key, position, doc FROM event_counts ORDER BY key')).rows;
        await inTransaction(database.pool, async (client) => applyBatch(client, [liveTarget(counting)], await store.readAll(0n, 100)));
        const live = await documents();
        await store.appendToStream('s-3', [anEvent()], { expectedVersion: 0 });
        await inTransaction(database.pool, async (client) => applyBatch(client, [liveTarget(counting)], await store.readAll(5n, 100)));
        const liveAfter = await documents();
        expect(liveAfter).toHaveLength(live.length + 1);

        await rebuildProjections(database.pool, store, [counting, history], { batchSize: 2, capacity: 1, flushEvery: 1 });
        expect(await versions()).toEqual([...EXPECTED, ['s-3', 6, null, 1]]);
        expect(await documents()).toEqual(liveAfter);
        const checkpoints = await readCheckpoints(database.pool, ['event-counts', 'event-counts-history']);
        expect([...checkpoints.values()].map((checkpoint) => checkpoint.position)).toEqual([6n, 6n]);
      },
    );
  });

  describe('with the statements its sessions prepare', () => {
    const counting = countingProjection();
    const projections = [counting, historyOf(counting)];
    const targets = projections.map(liveTarget);
    const KEYS = ['many-1', 'many-10', 'many-11', 'many-12', 'many-13'];
    const rowsOf = async (columns: string, table: string) =>
      (await database.pool.query(`SELECT key, position, ${columns} FROM ${table} WHERE key = ANY($1) ORDER BY key, position`, [KEYS])).rows;

    it('looks documents up and closes versions by index, with plans made while the tables were empty, once they are large and without statistics', async () => {
      await ensureProjectionSchema(database.pool, projections);
      for (const { table } of targets) await database.pool.query(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
      const plans: PlanNode[] = [];
      // Planned once for all values, as a session's cached plan is: a plan made for an empty table
      // must not be what it goes on using once the table is large.
      const explaining = explainingPool(database.url, plans, ['plan_cache_mode=force_generic_plan']);
      try {
        for (let i = 0; i < 3; i++) await append();
        const reached = await catchUp(explaining, store, targets, { batchSize: 1 });
        await database.pool.query(
          `INSERT INTO event_counts (key, position, doc) SELECT 'many-' || n, 0, '{"count": 1, "positions": []}' FROM generate_series(1, 50000) AS n`,
        );
        await database.pool.query(
          "INSERT INTO event_counts_history (key, position, doc) SELECT key, position, doc FROM event_counts WHERE key LIKE 'many-%'",
        );
        const { rows } = await database.pool.query(
          "SELECT reltuples FROM pg_class WHERE relname IN ('event_counts', 'event_counts_history')",
        );
        expect(rows.map((row) => row.reltuples)).toEqual([-1, -1]);

        plans.length = 0;
        for (let i = 0; i < 4; i++) await append(`many-1${i}`);
        await catchUp(explaining, store, targets, { batchSize: 2, from: reached });
      } finally {
        await explaining.end();
      }
      const scans = plans.flatMap(planNodes).filter((node) => node['Relation Name']?.startsWith('event_counts'));
      expect(new Set(scans.map((node) => node['Relation Name']))).toEqual(new Set(['event_counts', 'event_counts_history']));
      expect(scans.map((node) => node['Node Type'])).not.toContain('Seq Scan');
      expect(await rowsOf("doc->>'count' AS count", 'event_counts')).toEqual(
        KEYS.map((key, i) => ({ key, position: i === 0 ? '0' : String(3 + i), count: i === 0 ? '1' : '2' })),
      );
      expect((await rowsOf('valid_to', 'event_counts_history')).slice(0, 3)).toEqual([
        { key: 'many-1', position: '0', valid_to: null },
        { key: 'many-10', position: '0', valid_to: '4' },
        { key: 'many-10', position: '4', valid_to: null },
      ]);
    });

    it('closes a session whose transaction failed after it prepared statements, which a rollback leaves in place', async () => {
      const pool = new Pool({ connectionString: database.url, max: 1 });
      const session = async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const refuse = async () => {
        throw new Error('refused');
      };
      try {
        const first = await session();
        await expect(inTransaction(pool, refuse, { prepare: () => ['PREPARE answer AS SELECT 42'] })).rejects.toThrow('refused');
        const second = await session();
        expect(second).not.toBe(first);
        await expect(inTransaction(pool, refuse)).rejects.toThrow('refused');
        expect(await session()).toBe(second);
      } finally {
        await pool.end();
      }
    });

    it('goes on applying events once a rebuild has swapped the tables they were prepared for', async () => {
      // Two connections: the runner's own, and the one every batch is applied on.
      await ensureProjectionSchema(database.pool, projections);
      const pool = new Pool({ connectionString: database.url, max: 2 });
      const runner = new ProjectionRunner({ pool, store, projections });
      runner.start();
      try {
        await append('many-10', 2);
        await until(async () => (await countedEvents(database.pool)) === 2);
        await rebuildProjections(database.pool, store, projections);
        await store.appendToStream('many-10', [anEvent()], { expectedVersion: 2 });
        await append('many-11');
        await until(async () => (await countedEvents(database.pool)) === 4);
      } finally {
        await runner.stop();
        await pool.end();
      }
      expect(await rowsOf("valid_to, doc->>'count' AS count", 'event_counts_history')).toEqual([
        { key: 'many-10', position: '1', valid_to: '2', count: '1' },
        { key: 'many-10', position: '2', valid_to: '3', count: '2' },
        { key: 'many-10', position: '3', valid_to: null, count: '3' },
        { key: 'many-11', position: '4', valid_to: null, count: '1' },
      ]);
    });
  });

  it('follows new events at once, woken by a notification rather than its poll', async () => {
    const runner = new ProjectionRunner({ pool: database.pool, store, projections: [countingProjection()], pollIntervalMs: 60_000 });
    runner.start();
    try {
      await until(async () => runner.isLeader);
      await append();
      const waited = await until(async () => (await countedEvents(database.pool)) === 1, 3000);
      expect(waited).toBeLessThan(3000);
      await append(undefined, 5);
      await until(async () => (await countedEvents(database.pool)) === 6, 3000);
    } finally {
      await runner.stop();
    }
  });

  it('elects one leader, and another runner takes over within 5 s when it stops', async () => {
    const runners = [0, 1].map(
      () => new ProjectionRunner({ pool: database.pool, store, projections: [countingProjection()], electionIntervalMs: 200 }),
    );
    runners.forEach((runner) => runner.start());
    try {
      await until(async () => runners.some((runner) => runner.isLeader));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(runners.filter((runner) => runner.isLeader)).toHaveLength(1);
      const [leader, follower] = runners[0].isLeader ? runners : [runners[1], runners[0]];
      await leader.stop();
      expect(await until(async () => follower.isLeader)).toBeLessThan(5000);
      await append(undefined, 4);
      await until(async () => (await countedEvents(database.pool)) === 4);
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
  });

  it.each([
    ['in global order', false],
    ['stream by stream', true],
  ])('rebuilds into a shadow table while the live one answers, then swaps it in (%s)', async (_, keyedWithinStream) => {
    const projection = countingProjection(1, keyedWithinStream);
    await ensureProjectionSchema(database.pool, [projection]);
    for (let i = 0; i < 20; i++) await append(`s-${i % 4}`, 1).catch(() => append(`s-${i % 4}-${i}`));
    await inTransaction(database.pool, async (client) => applyBatch(client, [liveTarget(projection)], await store.readAll(0n, 1000)));
    const before = await countedEvents(database.pool);
    const progress: number[] = [];
    const answeredDuringRebuild: number[] = [];
    let arrivedDuringRebuild: Promise<unknown> | undefined;
    // Each read the rebuild makes (all before it swaps) first asks what the live table answers, and
    // waits for the events appended during the rebuild: they must be in it when it swaps.
    const duringRebuild = async () => {
      answeredDuringRebuild.push(await countedEvents(database.pool));
      await arrivedDuringRebuild;
    };
    const waitingStore = {
      headPosition: () => store.headPosition(),
      readAll: async (...args: Parameters<PostgresEventStore['readAll']>) => (await duringRebuild(), store.readAll(...args)),
      readByStream: async (...args: Parameters<PostgresEventStore['readByStream']>) => (await duringRebuild(), store.readByStream(...args)),
    };
    const result = await rebuildProjections(database.pool, waitingStore, [projection], {
      batchSize: 3,
      onProgress: ({ events }) => {
        progress.push(events);
        arrivedDuringRebuild ??= append('s-late', 2);
      },
    });
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.at(-1)).toBe(20);
    expect(answeredDuringRebuild.length).toBeGreaterThan(5);
    expect(answeredDuringRebuild.every((count) => count === before)).toBe(true);
    expect(result).toMatchObject({ events: 22, position: 22n });
    expect(await countedEvents(database.pool)).toBe(22);
    const tables = await database.pool.query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'event_counts%'");
    expect(tables.rows.map((row) => row.tablename)).toEqual(['event_counts']);
    // Rebuilding twice must not trip over the names the first swap left on indexes and keys.
    await rebuildProjections(database.pool, store, [projection]);
    expect(await countedEvents(database.pool)).toBe(22);
  });

  it('rebuilds at start a projection whose version changed', async () => {
    await append('s-1', 3);
    await ensureProjectionSchema(database.pool, [countingProjection(1)]);
    const first = new ProjectionRunner({ pool: database.pool, store, projections: [countingProjection(1)] });
    first.start();
    try {
      await until(async () => (await countedEvents(database.pool)) === 3);
    } finally {
      await first.stop();
    }
    await database.pool.query(`UPDATE event_counts SET doc = jsonb_set(doc, '{count}', '99')`);
    const second = new ProjectionRunner({ pool: database.pool, store, projections: [countingProjection(2)] });
    second.start();
    try {
      await until(async () => (await countedEvents(database.pool)) === 3);
      expect((await readCheckpoints(database.pool, ['event-counts'])).get('event-counts')).toMatchObject({ version: 2, position: 3n });
    } finally {
      await second.stop();
    }
  });
});
