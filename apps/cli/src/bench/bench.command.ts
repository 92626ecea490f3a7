import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { SignJWT } from 'jose';
import { PostgresEventStore, migrate } from '@app/event-store';
import { createApp } from '../../../api/src/app';
import { loadConfig } from '../../../api/src/config/config';
import { createPool } from '../../../api/src/database/database';
import { startEmbeddedPostgres } from '../../../api/src/database/embedded-postgres';
import { createLogger } from '../../../api/src/observability/logger';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = [1, 16, 64];

/** Runs `work` from `concurrency` loops for SECONDS and answers operations per second. */
async function throughput(concurrency: number, work: () => Promise<unknown>): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await work();
        done += 1;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

/** autocannon in its own process, so that the load generator does not share the service's event loop. */
async function loadFromAnotherProcess(url: string, connections: number, token: string) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      require.resolve('autocannon/autocannon.js'),
      '--json', '-m', 'POST', '-c', String(connections), '-d', String(SECONDS),
      '-H', `authorization=Bearer ${token}`, '-H', 'content-type=application/json',
      '-b', JSON.stringify({ reference: 'BENCH', title: 'Benchmark review', kind: 'other' }),
      url,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as { '2xx': number; non2xx: number; duration: number };
}

const row = (label: string, perSecond: number, baseline?: number) =>
  `${label.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} /s${baseline ? `   ${(perSecond / baseline).toFixed(2)}× raw` : ''}`;

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Prints raw PostgreSQL, event-store and HTTP write throughput, measured in one run against one server. */
export async function benchCommand(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'learning-actions-bench-'));
  const server = await startEmbeddedPostgres({ dataDir, persistent: false });
  const lines: string[] = [`durable writes, ${SECONDS} s per figure, one embedded PostgreSQL server`];
  try {
    const rawPool = createPool(await createDatabase(server.url, 'bench_raw'));
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

    const storePool = createPool(await createDatabase(server.url, 'bench_store'));
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

    const httpUrl = await createDatabase(server.url, 'bench_http');
    const httpPool = createPool(httpUrl);
    await migrate(httpPool);
    const secret = 'bench-secret-long-enough-to-sign';
    const config = loadConfig({ AUTH_DEV_SECRET: secret, DATABASE_URL: httpUrl });
    const app = await createApp({ config, pool: httpPool, logger: createLogger('warn') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };
    const token = await new SignJWT({ name: 'Bench', roles: ['subgroup'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('bench')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    for (const c of [16, 64]) {
      const result = await loadFromAnotherProcess(`http://127.0.0.1:${port}/reviews`, c, token);
      const ok = result['2xx'] / (result.duration || SECONDS);
      lines.push(row(`HTTP POST /reviews, ${c} connections`, ok, raw.get(c)) + `   (${result.non2xx} non-2xx)`);
    }
    lines.push(`service RSS after the HTTP runs: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB (bench process, service included)`);
    await app.close();
    await httpPool.end();
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return lines.join('\n');
}
