import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase } from '@app/testing';
import { anEvent } from '../testing/event-store.contract';
import { verifyLog } from '@app/audit';
import { migrate } from './migrations';
import { PostgresEventStore } from './postgres-event-store';

const WRITERS = 64;
const APPENDS_PER_WRITER = 15;
const ROLLBACK_SHARE = 0.05;

type Observation = { seen: bigint[]; final: bigint[] };

/**
 * Readers poll "everything after the last position I saw" while writers commit; at the end each
 * reader's view is compared with the table. A skip is a position the reader went past without seeing.
 */
async function observe(pool: Pool, table: 'events' | 'naive_events', column: string, write: () => Promise<void>): Promise<Observation[]> {
  let writing = true;
  const readers = Array.from({ length: 3 }, async () => {
    const seen: bigint[] = [];
    let last = 0n;
    const poll = async () => {
      const { rows } = await pool.query(`SELECT ${column} AS p FROM ${table} WHERE ${column} > $1 ORDER BY ${column} LIMIT 500`, [
        last.toString(),
      ]);
      for (const row of rows) seen.push(BigInt(row.p));
      if (rows.length > 0) last = BigInt(rows.at(-1).p);
    };
    while (writing) await poll();
    await poll();
    return seen;
  });
  await write();
  writing = false;
  const views = await Promise.all(readers);
  const { rows } = await pool.query(`SELECT ${column} AS p FROM ${table} ORDER BY ${column}`);
  const final = rows.map((row) => BigInt(row.p));
  return views.map((seen) => ({ seen, final }));
}

const skipped = ({ seen, final }: Observation) => {
  const saw = new Set(seen);
  const last = seen.at(-1) ?? 0n;
  return final.filter((p) => p <= last && !saw.has(p)).length + final.filter((p) => p > last).length;
};
const duplicated = ({ seen }: Observation) => seen.length - new Set(seen).size;

describe('global order under 64 concurrent writers with 5% rolled-back transactions', () => {
  it('our store: 0 skipped, 0 duplicated, positions 1..N without a gap', async () => {
    const database = await createTestDatabase(WRITERS + 10);
    try {
      await migrate(database.pool);
      // Several store instances on one database behave as several processes: only the database lock orders them.
      const stores = Array.from({ length: 4 }, () => new PostgresEventStore(database.pool));
      let acknowledged = 0;
      const observations = await observe(database.pool, 'events', 'position', async () => {
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, writer) => {
            for (let i = 0; i < APPENDS_PER_WRITER; i++) {
              // A NUL character makes PostgreSQL refuse the row, rolling the transaction back.
              const poisoned = Math.random() < ROLLBACK_SHARE;
              const event = anEvent('E', { text: poisoned ? 'bad \u0000' : 'ok' });
              const appended = await stores[writer % stores.length]
                .appendToStream(`w-${writer}-${i}`, [event], { expectedVersion: 0 })
                .then(
                  () => true,
                  () => false,
                );
              expect(appended).toBe(!poisoned);
              if (appended) acknowledged += 1;
            }
          }),
        );
      });
      for (const observation of observations) {
        expect(observation.final).toEqual(Array.from({ length: acknowledged }, (_, i) => BigInt(i + 1)));
        expect({ skipped: skipped(observation), duplicated: duplicated(observation) }).toEqual({ skipped: 0, duplicated: 0 });
        expect(observation.seen).toEqual(observation.final);
      }
      // Each event chained to the one before it, whichever store wrote either, as an auditor recomputes it.
      expect(await verifyLog(stores[0])).toMatchObject({ ok: true, checked: acknowledged });
    } finally {
      await database.drop();
    }
  });

  it('negative control: a plain bigserial read the same way skips late commits and has gaps', async () => {
    const database = await createTestDatabase(WRITERS + 10);
    try {
      await database.pool.query('CREATE TABLE naive_events (id bigserial PRIMARY KEY, data text NOT NULL)');
      const observations = await observe(database.pool, 'naive_events', 'id', async () => {
        await Promise.all(
          Array.from({ length: WRITERS }, async () => {
            const client = await database.pool.connect();
            try {
              for (let i = 0; i < APPENDS_PER_WRITER; i++) {
                await client.query('BEGIN');
                await client.query('INSERT INTO naive_events (data) VALUES ($1)', [randomUUID()]);
                // The work a real append does between taking its id and committing.
                await client.query('SELECT pg_sleep($1)', [Math.random() * 0.01]);
                await client.query(Math.random() < ROLLBACK_SHARE ? 'ROLLBACK' : 'COMMIT');
              }
            } finally {
              client.release();
            }
          }),
        );
      });
      const final = observations[0].final;
      const gaps = Number(final.at(-1)!) - final.length;
      expect(gaps).toBeGreaterThan(0);
      expect(observations.reduce((sum, o) => sum + skipped(o), 0)).toBeGreaterThan(0);
    } finally {
      await database.drop();
    }
  });
});
