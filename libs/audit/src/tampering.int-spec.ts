import { generateKeyPairSync } from 'node:crypto';
import { Pool } from 'pg';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { GENESIS_HASH, PostgresEventStore, canonicalJson, chainHash, migrate } from '@app/event-store';
import { anEvent, readEverything } from '@app/event-store/testing';
import { signCheckpoint } from './audit-checkpoint';
import { verifyLog } from './verify-log';

const EVENTS = 30;
const keys = () => generateKeyPairSync('ed25519');

describe('verification finds tampering with the PostgreSQL log', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  /** As someone with full database access would: the append-only triggers switched off first. */
  const tamper = (sql: string) =>
    database.pool.query(`ALTER TABLE events DISABLE TRIGGER USER; ${sql}; ALTER TABLE events ENABLE TRIGGER USER`);

  beforeEach(async () => {
    database = await createTestDatabase();
    await migrate(database.pool);
    store = new PostgresEventStore(database.pool);
    for (let i = 0; i < EVENTS / 3; i++)
      await store.appendToStream(`stream-${i}`, [anEvent(), anEvent(), anEvent('Other', { i })], { expectedVersion: 0 });
  });
  afterEach(() => database.drop());

  it('raises no alarm on an untouched log, even while appends go on', async () => {
    expect(await verifyLog(store)).toMatchObject({ ok: true, checked: EVENTS });
    const appending = Promise.all(
      Array.from({ length: 40 }, (_, i) => store.appendToStream(`more-${i}`, [anEvent()], { expectedVersion: 0 })),
    );
    const results = await Promise.all([
      verifyLog(store, { batchSize: 1 }),
      verifyLog(store, { batchSize: 3, ranges: 3 }),
      appending.then(() => verifyLog(store)),
    ]);
    results.forEach((result) => expect(result).toMatchObject({ ok: true }));
    expect(results[2].checked).toBe(EVENTS + 40);
  });

  it('tells how far it has got, across ranges checked at once, up to every event', async () => {
    const told: number[] = [];
    expect(await verifyLog(store, { batchSize: 4, ranges: 3, onProgress: (checked) => told.push(checked) })).toMatchObject({
      ok: true,
      checked: EVENTS,
    });
    expect(told.length).toBeGreaterThan(3);
    expect(told.every((checked, index) => index === 0 || checked >= told[index - 1])).toBe(true);
    expect(told[told.length - 1]).toBe(EVENTS);
  });

  it('verifies ranges on threads however the pool was given its password', async () => {
    const url = new URL(database.url);
    expect(url.password).not.toBe('');
    // pg keeps a password given on its own out of the pool's enumerable options.
    const pool = new Pool({
      host: url.hostname,
      port: Number(url.port),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
      max: 2,
    });
    try {
      expect(await verifyLog(new PostgresEventStore(pool), { batchSize: 4, ranges: 2 })).toMatchObject({ ok: true, checked: EVENTS });
    } finally {
      await pool.end();
    }
  });

  it('stores each event as the canonical JSON its hash covers, and verifies from its rows alone, whatever text they hold', async () => {
    await store.appendToStream('quote " back\\slash\nline caf\u00e9 \ud83d\ude00', [anEvent('Typed\t"', { text: '\u2028 \\ " \u0001' })], {
      expectedVersion: 0,
    });
    const [event] = await store.readAll(16n, 1);
    const { rows } = await database.pool.query('SELECT data::text AS data, metadata::text AS metadata FROM events WHERE position = 17');
    expect(rows[0]).toEqual({ data: canonicalJson(event.data), metadata: canonicalJson(event.metadata) });
    const readAll = jest.spyOn(store, 'readAll');
    // In stretches of 20 events (batches of one), each read whole from its rows.
    expect(await verifyLog(store, { batchSize: 1 })).toMatchObject({ ok: true, checked: EVENTS + 1 });
    // Only to look past the head.
    expect(readAll.mock.calls).toEqual([[BigInt(EVENTS + 1), 1]]);
  });

  describe('with events stored before their text was kept canonical', () => {
    // What migration 4 leaves of a log written before it: jsonb's rendering, not canonical JSON.
    beforeEach(() =>
      database.pool.query(
        `ALTER TABLE events ALTER COLUMN data TYPE jsonb, ALTER COLUMN metadata TYPE jsonb;
         ALTER TABLE events ALTER COLUMN data TYPE json USING data::json, ALTER COLUMN metadata TYPE json USING metadata::json`,
      ),
    );

    it('checks them from their content, and raises no alarm', async () => {
      const { rows } = await database.pool.query('SELECT metadata::text AS metadata FROM events WHERE position = 1');
      expect(rows[0].metadata).toContain('": ');
      expect(await verifyLog(store, { batchSize: 7 })).toMatchObject({ ok: true, checked: EVENTS });
      await store.appendToStream('after-the-migration', [anEvent()], { expectedVersion: 0 });
      expect(await verifyLog(store, { batchSize: 7 })).toMatchObject({ ok: true, checked: EVENTS + 1 });
    });

    it('still finds an edited one', async () => {
      await tamper(`UPDATE events SET data = '{"n": 999}' WHERE position = 17`);
      expect((await verifyLog(store, { batchSize: 4 })).firstBad).toMatchObject({ position: '17', reason: 'altered', stream: 'stream-5' });
    });
  });

  it.each([
    [
      'an edited event',
      `UPDATE events SET data = '{"n": 999}' WHERE position = 17`,
      { position: '17', reason: 'altered', stream: 'stream-5' },
    ],
    ['a deleted event', 'DELETE FROM events WHERE position = 12', { position: '12', reason: 'missing' }],
    [
      'two events swapped',
      'UPDATE events SET position = 1000000 WHERE position = 20; UPDATE events SET position = 20 WHERE position = 21; UPDATE events SET position = 21 WHERE position = 1000000',
      { position: '20', reason: 'altered' },
    ],
    [
      'a forged event inserted',
      `UPDATE events SET position = position + 1000 WHERE position >= 10;
       UPDATE events SET position = position - 999 WHERE position >= 1010;
       INSERT INTO events (position, event_id, stream_id, version, type, data, metadata, recorded_at, prev_hash, hash)
         SELECT 10, gen_random_uuid(), 'stream-forged', 1, 'ActionClosed', '{}', metadata, recorded_at, hash, hash FROM events WHERE position = 9;
       UPDATE event_log_head SET position = position + 1`,
      { position: '10', reason: 'altered', stream: 'stream-forged' },
    ],
    ['a truncated tail', `DELETE FROM events WHERE position > 25`, { position: '26', reason: 'truncated' }],
  ])('finds %s, at the first bad position, the log checked in one range or in three at once', async (_, sql, firstBad) => {
    await tamper(sql);
    for (const ranges of [1, 3]) {
      const result = await verifyLog(store, { batchSize: 4, ranges });
      expect({ ranges, ok: result.ok, firstBad: result.firstBad }).toMatchObject({ ranges, ok: false, firstBad });
    }
  });

  describe('against signed checkpoints an auditor kept', () => {
    const checkpointAt = async (position: bigint, key = keys()) => {
      const [event] = await store.readAll(position - 1n, 1);
      return { key, checkpoint: signCheckpoint(key.privateKey, key.publicKey, { position, hash: event.hash, signedAt: new Date() }) };
    };

    it('accepts the log the checkpoints vouch for', async () => {
      const { key, checkpoint } = await checkpointAt(15n);
      expect(await verifyLog(store, { checkpoints: [checkpoint], publicKey: key.publicKey })).toMatchObject({ ok: true, checked: EVENTS });
      expect(await verifyLog(store, { checkpoints: [checkpoint], publicKey: key.publicKey, ranges: 3 })).toMatchObject({
        ok: true,
        checked: EVENTS,
      });
    });

    it('refuses a checkpoint whose hash was changed after signing', async () => {
      const { key, checkpoint } = await checkpointAt(15n);
      const changed = { ...checkpoint, hash: checkpoint.hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) };
      expect(await verifyLog(store, { checkpoints: [changed], publicKey: key.publicKey })).toMatchObject({
        ok: false,
        firstBad: { position: '15', reason: 'checkpoint-signature' },
      });
    });

    it('refuses a checkpoint signed with another key', async () => {
      const { checkpoint } = await checkpointAt(15n);
      expect(await verifyLog(store, { checkpoints: [checkpoint], publicKey: keys().publicKey })).toMatchObject({
        ok: false,
        firstBad: { position: '15', reason: 'checkpoint-signature' },
      });
    });

    it('refuses a history rewritten below a valid checkpoint, chain and head recomputed to hide it', async () => {
      const { key, checkpoint } = await checkpointAt(15n);
      const events = await readEverything(store);
      let previous = GENESIS_HASH;
      const rewritten = events.map((event) => {
        const data = event.position === 5n ? { n: 'rewritten' } : event.data;
        const hash = chainHash(previous, { ...event, data });
        const row = { position: event.position, data, prevHash: previous, hash };
        previous = hash;
        return row;
      });
      for (const row of rewritten) {
        await tamper(
          `UPDATE events SET data = '${JSON.stringify(row.data)}', prev_hash = '\\x${row.prevHash}', hash = '\\x${row.hash}' WHERE position = ${row.position}`,
        );
      }
      await database.pool.query(`UPDATE event_log_head SET hash = '\\x${previous}'`);
      expect(await verifyLog(store)).toMatchObject({ ok: true });
      for (const ranges of [1, 3]) {
        expect(await verifyLog(store, { checkpoints: [checkpoint], publicKey: key.publicKey, ranges })).toMatchObject({
          ok: false,
          firstBad: { position: '15', reason: 'checkpoint-mismatch' },
        });
      }
    });
  });
});
