import { randomUUID } from 'node:crypto';
import { PostgresEventStore, migrate } from '@app/event-store';
import { createPool } from '../../../api/src/database/database';
import { createDatabase, loadFromAnotherProcess, row, startBenchService, throughput } from './bench-kit';

const REVIEW = { reference: 'BENCH', title: 'Benchmark review', kind: 'other' };

const CONCURRENCY = [1, 16, 64];

/** Raw PostgreSQL, event-store and HTTP write throughput, against one server. */
export async function benchWrites(serverUrl: string): Promise<string[]> {
  const lines: string[] = [];
  const rawPool = createPool(await createDatabase(serverUrl, 'bench_raw'));
  rawPool.options.max = 70;
  await rawPool.query('CREATE TABLE raw_events (id bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)');
  const raw = new Map<number, number>();
  for (const c of CONCURRENCY) {
    raw.set(
      c,
      await throughput(c, async () => {
        const client = await rawPool.connect();
        try {
          await client.query('BEGIN');
          await client.query('INSERT INTO raw_events (stream_id, data) VALUES ($1, $2)', [randomUUID(), { n: 1 }]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }),
    );
    lines.push(row(`raw INSERT, one per transaction, c=${c}`, raw.get(c)!));
  }
  await rawPool.end();

  const storePool = createPool(await createDatabase(serverUrl, 'bench_store'));
  await migrate(storePool);
  const store = new PostgresEventStore(storePool);
  for (const c of CONCURRENCY) {
    const rate = await throughput(c, () =>
      store.appendToStream(`bench-${randomUUID()}`, [{ eventId: randomUUID(), type: 'Benchmarked', data: { n: 1 }, metadata: {} }], {
        expectedVersion: 0,
      }),
    );
    lines.push(row(`event store append (group commit), c=${c}`, rate, raw.get(c)));
  }
  await storePool.end();

  const service = await startBenchService(serverUrl, 'bench_http');
  // Not counted: the first seconds of a fresh process measure its compiler and its pool filling up.
  await loadFromAnotherProcess({ url: `${service.url}/reviews`, token: service.token, connections: 16, seconds: 2, body: REVIEW });
  for (const c of [16, 64]) {
    const result = await loadFromAnotherProcess({
      url: `${service.url}/reviews`,
      token: service.token,
      connections: c,
      body: REVIEW,
    });
    const ok = result['2xx'] / (result.duration || 1);
    lines.push(row(`HTTP POST /reviews, ${c} connections`, ok, raw.get(c)) + `   (${result.non2xx} non-2xx)`);
  }
  lines.push(`service RSS after the HTTP runs: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB (bench process, service included)`);
  await service.close();
  return lines;
}
