import { randomUUID } from 'node:crypto';
import { requireRecordable } from '@app/domain';
import { PostgresEventStore, migrate } from '@app/event-store';
import { createPool } from '@app/infrastructure';
import { ServiceProcess, WARM_UP_SECONDS, createDatabase, loadFromAnotherProcess, row, startServiceProcess, throughput } from './bench-kit';

const REVIEW = { reference: 'BENCH', title: 'Benchmark review', kind: 'other' };

const CONCURRENCY = [1, 16, 64];
const HTTP_CONNECTIONS = [16, 64];
/** Ours against the plain NestJS service: a single client, and the load a partnership's busiest hour is far below. */
const PLAIN_CONNECTIONS = [1, 16];
/** The schema check at append, measured where the issue of its cost was put: 16 connections. */
const SCHEMA_CONNECTIONS = [16];
/**
 * Each figure is the median of this many rounds, and each ratio the median of the rounds' ratios:
 * the machine's load changes within a minute, so a figure is compared with raw PostgreSQL measured
 * seconds before it, not with one measured a minute before.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Rates of one kind of write, round after round, each beside the raw rate measured just before it. */
class Measured {
  readonly rates: number[] = [];
  private readonly ratios: number[] = [];

  add(rate: number, raw?: number): void {
    this.rates.push(rate);
    if (raw) this.ratios.push(rate / raw);
  }

  line(label: string, baseline = 'raw'): string {
    const ratio = this.ratios.length > 0 ? `   ${median(this.ratios).toFixed(2)}× ${baseline}` : '';
    const spread = `   (rounds: ${this.rates.map((rate) => rate.toFixed(0)).join(', ')})`;
    return row(label, median(this.rates)) + ratio + spread;
  }
}

/** `measure` at each concurrency, round after round, each time just after its `baseline` at the same concurrency. */
async function roundsBeside(
  concurrencies: readonly number[],
  baseline: (concurrency: number) => Promise<number>,
  measure: (concurrency: number) => Promise<number>,
) {
  const baselines = new Map(concurrencies.map((c) => [c, new Measured()]));
  const measured = new Map(concurrencies.map((c) => [c, new Measured()]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of concurrencies) {
      const baselineRate = await baseline(c);
      baselines.get(c)!.add(baselineRate);
      measured.get(c)!.add(await measure(c), baselineRate);
    }
  }
  return { baselines, measured };
}

/** `roundsBeside` raw PostgreSQL: `rawInsert` from as many loops as the concurrency. */
const roundsBesideRaw = (
  concurrencies: readonly number[],
  rawInsert: () => Promise<void>,
  measure: (concurrency: number) => Promise<number>,
) => roundsBeside(concurrencies, (c) => throughput(c, rawInsert), measure);

/** Raw PostgreSQL, event-store and HTTP write throughput, against one server, in interleaved rounds. */
export async function benchWrites(serverUrl: string): Promise<string[]> {
  const rawPool = createPool(await createDatabase(serverUrl, 'bench_raw'));
  rawPool.options.max = 70;
  await rawPool.query('CREATE TABLE raw_events (id bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)');
  const rawInsert = async () => {
    const client = await rawPool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO raw_events (stream_id, data) VALUES ($1, $2)', [randomUUID(), { n: 1 }]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const storePool = createPool(await createDatabase(serverUrl, 'bench_store'));
  await migrate(storePool);
  const store = new PostgresEventStore(storePool);
  const storeAppend = () =>
    store.appendToStream(`bench-${randomUUID()}`, [{ eventId: randomUUID(), type: 'Benchmarked', data: { n: 1 }, metadata: {} }], {
      expectedVersion: 0,
    });
  const { baselines: raw, measured: appended } = await roundsBesideRaw(CONCURRENCY, rawInsert, (c) => throughput(c, storeAppend));
  await storePool.end();

  const service = await startServiceProcess(serverUrl, 'bench_http');
  await postReviews(service, 16, WARM_UP_SECONDS);
  const { baselines: rawBeside, measured: posted } = await roundsBesideRaw(
    HTTP_CONNECTIONS,
    rawInsert,
    async (c) => (await postReviews(service, c)).rate,
  );
  const rss = await service.rssMb();
  await rawPool.end();
  const besidePlain = await roundsBesidePlain(serverUrl, service);
  await service.close();
  return [
    ...CONCURRENCY.map((c) => raw.get(c)!.line(`raw INSERT, one per transaction, c=${c}`)),
    ...CONCURRENCY.map((c) => appended.get(c)!.line(`event store append (group commit), c=${c}`)),
    ...HTTP_CONNECTIONS.flatMap((c) => [
      rawBeside.get(c)!.line(`raw INSERT, c=${c}, beside the HTTP runs`),
      posted.get(c)!.line(`HTTP POST /reviews, ${c} connections`),
    ]),
    `service RSS after the HTTP runs: ${rss.toFixed(0)} MB (its own process)`,
    ...besidePlain,
    `medians of ${ROUNDS} rounds; each round measures the baseline (raw, or plain NestJS), then ours, at one concurrency after another`,
  ];
}

type Posted = Readonly<{ rate: number; p50: number; p99: number }>;

/** `POST /reviews` from autocannon in its own process: the rate, and the latency in ms. */
async function postReviews(service: ServiceProcess, connections: number, seconds?: number): Promise<Posted> {
  const result = await loadFromAnotherProcess({ url: `${service.url}/reviews`, token: service.token, connections, seconds, body: REVIEW });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} of the benchmark's POSTs failed`);
  return { rate: result['2xx'] / (result.duration || 1), p50: result.latency.p50, p99: result.latency.p99 };
}

/**
 * What holding each event to its schema at append costs: ours beside itself without that check, both
 * started afresh on empty databases and warmed alike, in interleaved rounds.
 */
export async function benchSchemaCheck(serverUrl: string): Promise<string[]> {
  const [checked, unchecked] = [
    await startServiceProcess(serverUrl, 'bench_checked'),
    await startServiceProcess(serverUrl, 'bench_unchecked', 'unchecked'),
  ];
  for (const service of [checked, unchecked]) await postReviews(service, 16, WARM_UP_SECONDS);
  const rate = (target: ServiceProcess) => async (connections: number) => (await postReviews(target, connections)).rate;
  const { baselines: without, measured: held } = await roundsBeside(SCHEMA_CONNECTIONS, rate(unchecked), rate(checked));
  await Promise.all([checked.close(), unchecked.close()]);
  return [
    ...SCHEMA_CONNECTIONS.flatMap((c) => [
      without.get(c)!.line(`HTTP POST /reviews, ${c} conn., no schema check at append`),
      held.get(c)!.line(`HTTP POST /reviews, ${c} conn., with it (target ≥ 0.95×)`, 'without'),
    ]),
    checkAlone(median(held.get(16)!.rates)),
    `medians of ${ROUNDS} rounds; each round measures the service without the check, then with it`,
  ];
}

/** The check on its own, timed on the event `POST /reviews` records: a figure far steadier than the difference of two rates. */
function checkAlone(requestsPerSecond: number): string {
  const event = { type: 'ReviewRegistered', data: { reviewId: randomUUID(), ...REVIEW, themes: [] } };
  const times = 200_000;
  const started = performance.now();
  for (let n = 0; n < times; n++) requireRecordable(event);
  const seconds = (performance.now() - started) / 1000 / times;
  return `  the check alone: ${(seconds * 1e6).toFixed(2)} µs an event, ${(seconds * requestsPerSecond * 100).toFixed(2)}% of a second at that rate`;
}

/**
 * Ours against what a team would write instead (`plain-service.ts`: the same stack, one INSERT a
 * request), in interleaved rounds at each concurrency, the plain service first in each.
 */
async function roundsBesidePlain(serverUrl: string, service: ServiceProcess): Promise<string[]> {
  const plain = await startServiceProcess(serverUrl, 'bench_plain', 'plain');
  await postReviews(plain, 16, WARM_UP_SECONDS);
  const latencies = { ours: [] as Posted[], plain: [] as Posted[] };
  /** The rate of one round, keeping its latency where there is one connection. */
  const post = (target: ServiceProcess, kept: Posted[]) => async (connections: number) => {
    const posted = await postReviews(target, connections);
    if (connections === 1) kept.push(posted);
    return posted.rate;
  };
  const { baselines: theirs, measured: ours } = await roundsBeside(
    PLAIN_CONNECTIONS,
    post(plain, latencies.plain),
    post(service, latencies.ours),
  );
  await plain.close();
  // One connection waits for each answer before the next request: its mean latency is exactly 1 / rate,
  // where autocannon's own mean rounds every sample to whole milliseconds.
  const latency = (posted: Posted[]) =>
    `mean ${(1000 / median(posted.map((p) => p.rate))).toFixed(2)} ms, p50 ${median(posted.map((p) => p.p50))} ms, p99 ${median(posted.map((p) => p.p99))} ms`;
  return [
    ...PLAIN_CONNECTIONS.flatMap((c) => [
      theirs.get(c)!.line(`plain NestJS POST /reviews (one INSERT), ${c} conn.`),
      ours.get(c)!.line(`HTTP POST /reviews, ${c} connection${c === 1 ? '' : 's'}`, 'plain'),
    ]),
    `latency at 1 connection (autocannon's percentiles are whole ms): ours ${latency(latencies.ours)}; plain ${latency(latencies.plain)}`,
  ];
}
