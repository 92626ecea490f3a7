import { randomUUID } from 'node:crypto';
import { RecordedEvent } from '../event-store.port';
import { PlanNode, createTestDatabase, explainingPool, planNodes } from '@app/testing';
import { anEvent, describeEventStoreContract, readEverything } from '../testing/event-store.contract';
import { MIGRATIONS, migrate } from './migrations';
import { PostgresEventStore } from './postgres-event-store';

describeEventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  await migrate(database.pool);
  return { store: new PostgresEventStore(database.pool), dispose: database.drop };
});

describe('PostgreSQL event store', () => {
  it('applies its migrations once, however often and however concurrently it is started', async () => {
    const database = await createTestDatabase();
    try {
      await Promise.all([migrate(database.pool), migrate(database.pool), migrate(database.pool)]);
      await migrate(database.pool);
      const { rows } = await database.pool.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0].n).toBe(MIGRATIONS.length);
    } finally {
      await database.drop();
    }
  });

  it('has the database itself refuse UPDATE, DELETE and TRUNCATE of events', async () => {
    const database = await createTestDatabase();
    try {
      await migrate(database.pool);
      const store = new PostgresEventStore(database.pool);
      await store.appendToStream('s-1', [anEvent()], { expectedVersion: 0 });
      for (const sql of [`UPDATE events SET type = 'Forged'`, 'DELETE FROM events', 'TRUNCATE events']) {
        await expect(database.pool.query(sql)).rejects.toThrow(/append-only/);
      }
      expect((await readEverything(store)).map((e) => e.type)).toEqual(['SomethingHappened']);
    } finally {
      await database.drop();
    }
  });

  it('reads the log stream by stream up to a position, every event once, each stream in version order', async () => {
    const database = await createTestDatabase();
    try {
      await migrate(database.pool);
      const store = new PostgresEventStore(database.pool);
      const streams = ['b', 'a', 'c', 'a-1', 'B'];
      for (let round = 1; round <= 3; round++) {
        for (const streamId of streams) await store.appendToStream(streamId, [anEvent()], { expectedVersion: round - 1 });
      }
      const until = 12n;
      for (const limit of [1, 4, 100]) {
        const read: RecordedEvent[] = [];
        for (let page = await store.readByStream(until, undefined, limit); page.length > 0;) {
          expect(page.length).toBeLessThanOrEqual(limit);
          read.push(...page);
          const last = page[page.length - 1];
          page = await store.readByStream(until, { streamId: last.streamId, version: last.version }, limit);
        }
        const byPosition = [...read].sort((a, b) => Number(a.position - b.position));
        expect(byPosition).toEqual((await readEverything(store)).filter((event) => event.position <= until));
        const runs = read.map((event) => event.streamId).filter((streamId, index, all) => streamId !== all[index - 1]);
        expect(new Set(runs).size).toBe(runs.length);
        for (const streamId of streams) {
          expect(read.filter((event) => event.streamId === streamId).map((event) => event.version)).toEqual(
            streamId === 'c' || streamId === 'a-1' || streamId === 'B' ? [1, 2] : [1, 2, 3],
          );
        }
      }
    } finally {
      await database.drop();
    }
  });

  it('commits appends that arrive together as one group', async () => {
    const database = await createTestDatabase();
    try {
      await migrate(database.pool);
      const groups: number[] = [];
      const store = new PostgresEventStore(database.pool, { onCommit: (appends) => groups.push(appends) });
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.appendToStream(`s-${i}`, [anEvent()], { expectedVersion: 0 })));
      expect(groups.reduce((a, b) => a + b)).toBe(30);
      expect(Math.max(...groups)).toBeGreaterThan(1);
    } finally {
      await database.drop();
    }
  });

  it('checks a group against the log and the claims by their indexes, even before either has statistics', async () => {
    const database = await createTestDatabase();
    try {
      await migrate(database.pool);
      await database.pool.query('ALTER TABLE events SET (autovacuum_enabled = off)');
      await database.pool.query('ALTER TABLE idempotency_keys SET (autovacuum_enabled = off)');
      // The store's connection has the server explain every statement it runs, those inside
      // append_events included, used for group after group.
      const plans: PlanNode[] = [];
      const explaining = explainingPool(database.url, plans);
      const store = new PostgresEventStore(explaining);
      // Every other append with an idempotency claim, so that their lookup is planned too.
      const claim = (i: number) =>
        i % 2 === 0 ? { scope: 'user-1', key: `key-${randomUUID()}`, fingerprint: 'abc', outcome: {} } : undefined;
      const appendGroups = async (groups: number, streamOf: (group: number, i: number) => string, expectedVersion: number) => {
        for (let group = 0; group < groups; group++) {
          const outcomes = await Promise.all(
            Array.from({ length: 64 }, (_, i) =>
              store.appendToStream(streamOf(group, i), [anEvent()], { expectedVersion, idempotency: claim(i) }),
            ),
          );
          expect(outcomes.map((outcome) => outcome.version)).toEqual(Array.from({ length: 64 }, () => expectedVersion + 1));
        }
      };
      try {
        // First while the log is empty, as a new service starts: whatever the session plans now must
        // not be what it keeps using once the log is long.
        await appendGroups(10, (group, i) => `new-${group}-${i}`, 0);

        // Then a long log of one event a stream, and as many claims, written directly: their hashes
        // are not what this is about.
        const logLength = 50_000;
        const head = await store.headPosition();
        await database.pool.query(
          `INSERT INTO events (position, event_id, stream_id, version, type, data, metadata, recorded_at, prev_hash, hash)
           SELECT $1 + n, gen_random_uuid(), 's-' || n, 1, 'SomethingHappened', '{}', '{}', now(), '\\x00', '\\x00' FROM generate_series(1, $2) AS n`,
          [head.toString(), logLength],
        );
        await database.pool.query('UPDATE event_log_head SET position = $1', [(head + BigInt(logLength)).toString()]);
        await database.pool.query(
          `INSERT INTO idempotency_keys (scope, key, fingerprint, outcome, stream_id, version, position, created_at)
           SELECT 'user-' || n % 100, 'key-' || n, 'abc', '{}', 's-' || n, 1, n, now() FROM generate_series(1, $1) AS n`,
          [logLength],
        );
        const { rows } = await database.pool.query(`SELECT reltuples FROM pg_class WHERE relname IN ('events', 'idempotency_keys')`);
        expect(rows.map((row) => row.reltuples)).toEqual([-1, -1]);

        plans.length = 0;
        await appendGroups(10, (group, i) => `s-${64 * group + i + 1}`, 1);
      } finally {
        await explaining.end();
      }
      const scans = plans.flatMap(planNodes).filter((node) => node['Relation Name'] !== undefined);
      expect(new Set(scans.map((node) => node['Relation Name']))).toEqual(new Set(['event_log_head', 'events', 'idempotency_keys']));
      expect(scans.filter((node) => node['Relation Name'] !== 'event_log_head').map((node) => node['Node Type'])).not.toContain('Seq Scan');
    } finally {
      await database.drop();
    }
  });

  it('fails only the append the database refuses, not the others committed with it', async () => {
    const database = await createTestDatabase();
    try {
      await migrate(database.pool);
      const store = new PostgresEventStore(database.pool);
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          store.appendToStream(`s-${i}`, [anEvent('E', { text: i === 17 ? 'nul \u0000 byte' : 'fine' })], {
            expectedVersion: 0,
          }),
        ),
      );
      expect(results.map((r) => r.status === 'fulfilled')).toEqual(Array.from({ length: 30 }, (_, i) => i !== 17));
      const all = await readEverything(store);
      expect(all.map((e) => e.position)).toEqual(Array.from({ length: 29 }, (_, i) => BigInt(i + 1)));
    } finally {
      await database.drop();
    }
  });
});
