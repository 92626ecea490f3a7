import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Histogram } from 'prom-client';
import { Pool } from 'pg';
import { addDays, dayInEngland } from '@app/domain';
import { PostgresEventStore, migrate } from '@app/event-store';
import { verifyLog } from '@app/audit';
import { ensureProjectionSchema, rebuildProjections } from '@app/projections';
import { READ_MODELS, openAndOwnedSql, whyUnfoldable } from '@app/read-models';
import { createPool } from '@app/infrastructure';
import { Metrics } from '../../../api/src/observability/metrics';
import { ActionTallies } from '../../../api/src/reads/action-tallies';
import { Outbox } from '../../../api/src/notifications/outbox';
import { migrateService } from '../../../api/src/database/service-migrations';
import { ProgressBar } from '../progress-bar';
import {
  SECONDS,
  WARM_UP_SECONDS,
  createDatabase,
  offerPacedLoadFromAnotherProcess,
  row,
  startBenchService,
  startBenchServiceOn,
} from './bench-kit';
import { SyntheticPartnership } from './synthetic-partnership';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = 2000;
/** The write rate the lag target names, and one this machine's HTTP path sustains without queueing. */
const LAG_RATES = [1000, 500, 250];

/** The log stands for two years of a partnership's work, each event on its day, as an imported history says them. */
const HISTORY_DAYS = 730;
const firstDay = () => addDays(dayInEngland(new Date()), -HISTORY_DAYS - 1);

async function load(pool: Pool, events: number): Promise<number> {
  const store = new PostgresEventStore(pool, { maxBatch: 1000 });
  const partnership = new SyntheticPartnership(Math.random, { from: firstDay(), days: HISTORY_DAYS, events });
  for (const append of partnership.setup()) await store.appendToStream(append.streamId, append.events, append);
  const bar = new ProgressBar('loading');
  const started = Date.now();
  let written = 0;
  while (written < events) {
    const burst = Array.from({ length: Math.min(2000, events - written) }, () => partnership.next());
    await Promise.all(burst.map((append) => store.appendToStream(append.streamId, append.events, append)));
    written += burst.length;
    bar.update(written, events);
  }
  bar.finish();
  return written / ((Date.now() - started) / 1000);
}

async function rawKeysetRead(pool: Pool): Promise<number> {
  const started = Date.now();
  let after = '0';
  let read = 0;
  for (;;) {
    const { rows } = await pool.query<{ position: string }>(
      `SELECT position, stream_id, version, event_id, type, data, metadata, recorded_at, encode(hash, 'hex') AS hash
         FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
      [after, BATCH],
    );
    if (rows.length === 0) break;
    read += rows.length;
    after = rows[rows.length - 1].position;
  }
  return read / ((Date.now() - started) / 1000);
}

/** Samples the process's memory while `work` runs: what it started with and the most it reached. */
async function withMemory<T>(work: () => Promise<T>): Promise<{ result: T; startMb: number; peakMb: number; peakHeapMb: number }> {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const startMb = mb(process.memoryUsage().rss);
  let peakMb = startMb;
  let peakHeapMb = mb(process.memoryUsage().heapUsed);
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakMb = Math.max(peakMb, mb(usage.rss));
    peakHeapMb = Math.max(peakHeapMb, mb(usage.heapUsed));
  }, 100);
  try {
    return { result: await work(), startMb, peakMb, peakHeapMb };
  } finally {
    clearInterval(sampler);
  }
}

/** A quantile from histogram buckets, interpolated within the bucket as Prometheus's histogram_quantile does. */
function quantile(q: number, buckets: { le: number; count: number }[]): number {
  const total = buckets[buckets.length - 1].count;
  const rank = q * total;
  let previous = { le: 0, count: 0 };
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return previous.le;
      const inBucket = bucket.count - previous.count;
      return previous.le + (bucket.le - previous.le) * (inBucket === 0 ? 0 : (rank - previous.count) / inBucket);
    }
    previous = bucket;
  }
  return previous.le;
}

const projectionDelayHistogram = (metrics: Metrics) => metrics.registry.getSingleMetric('projection_delay_seconds') as Histogram;

async function projectionDelays(histogram: Histogram) {
  const { values } = await histogram.get();
  const buckets = values
    .filter((value) => value.metricName === 'projection_delay_seconds_bucket')
    .map((value) => ({ le: value.labels.le === '+Inf' ? Infinity : Number(value.labels.le), count: value.value }));
  const count = values.find((value) => value.metricName === 'projection_delay_seconds_count')?.value ?? 0;
  return { count, p50: quantile(0.5, buckets) * 1000, p99: quantile(0.99, buckets) * 1000 };
}

type Latency = Readonly<{ p50: number; p95: number }>;

/** Milliseconds per call of `work` over `times` calls in turn, each given a fresh random number. */
async function latency(times: number, work: (random: number) => Promise<unknown>): Promise<Latency> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    await work(Math.random());
    took.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  took.sort((a, b) => a - b);
  return { p50: took[Math.floor(times * 0.5)], p95: took[Math.floor(times * 0.95)] };
}

const latencyRow = (label: string, { p50, p95 }: Latency, baseline?: Latency) =>
  `${label.padEnd(52)} p50 ${p50.toFixed(1).padStart(7)} ms  p95 ${p95.toFixed(1).padStart(7)} ms` +
  (baseline ? `   ${(p95 / baseline.p95).toFixed(1)}× raw p95` : '');

/** GET /assurance and GET /actions now, as of random instants over the whole log and as at random days of its history, next to a raw page read. */
async function asOfLatency(databaseUrl: string, pool: Pool): Promise<string[]> {
  const REQUESTS = 200;
  const { rows } = await pool.query<{ first: Date; last: Date; head: string }>(
    'SELECT min(recorded_at) AS first, max(recorded_at) AS last, max(position) AS head FROM events',
  );
  const { first, last, head } = rows[0];
  const instant = (random: number) => new Date(first.getTime() + random * (last.getTime() - first.getTime())).toISOString();
  const day = (random: number) => addDays(firstDay(), Math.floor(random * HISTORY_DAYS));
  const raw = await latency(REQUESTS, (random) =>
    pool.query(`SELECT position, stream_id, data FROM events WHERE position > $1 ORDER BY position LIMIT 100`, [
      Math.floor(random * Number(head)),
    ]),
  );
  const keeping = Date.now();
  const service = await startBenchServiceOn(databaseUrl);
  try {
    // The service keeps tallies of the action counts as the log grows; this log was loaded before it started.
    await service.app.get(ActionTallies).settled();
    const tallies = await pool.query<{ count: string }>('SELECT count(*) FROM action_tallies');
    const kept = `  tallies of the action counts kept from scratch (${tallies.rows[0].count}) in ${((Date.now() - keeping) / 1000).toFixed(1)} s, start-up included`;
    const get = async (path: string) => {
      const response = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${service.token}` } });
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    const lines = [kept, latencyRow('raw: a page of 100 events at a random position', raw)];
    for (const [label, path] of [
      ['GET /assurance', '/assurance'],
      ['GET /actions (a page of 100)', '/actions'],
      ['GET /actions?partner= (a page of 100)', '/actions?partner=police'],
    ]) {
      const joiner = path.includes('?') ? '&' : '?';
      lines.push(latencyRow(`${label}, now`, await latency(REQUESTS, () => get(path)), raw));
      lines.push(
        latencyRow(
          `${label}, asOf a random instant`,
          await latency(REQUESTS, (random) => get(`${path}${joiner}asOf=${instant(random)}`)),
          raw,
        ),
      );
      lines.push(
        latencyRow(`${label}, asAt a random day`, await latency(REQUESTS, (random) => get(`${path}${joiner}asAt=${day(random)}`)), raw),
      );
    }
    // The log was loaded in a minute or two, all of it "today": a window of its last 10,000 events stands for a few months.
    const { rows: since } = await pool.query<{ at: Date }>('SELECT recorded_at AS at FROM events WHERE position = $1', [
      Math.max(1, Number(head) - 10_000),
    ]);
    lines.push(...(await reportingLatency(get, raw, since[0].at.toISOString())));
    lines.push(await exportCost(service.url, service.token, get));
    return lines;
  } finally {
    await service.close();
  }
}

/** Finding actions with words and filters, the yearly report, the trends and the changes, over the million events. */
async function reportingLatency(get: (path: string) => Promise<unknown>, raw: Latency, since: string): Promise<string[]> {
  const lines: string[] = [];
  for (const [label, path] of [
    ['GET /actions?q=chronology (target p95 < 100 ms)', '/actions?q=chronology'],
    [
      'GET /actions?q=&partner=&status=outstanding&sort=dueDate',
      '/actions?q=exploitation%20officer&partner=police&status=outstanding&sort=dueDate',
    ],
    ['GET /actions?q=&overdue=true&sort=-updatedAt', '/actions?q=neglect&overdue=true&sort=-updatedAt'],
  ]) {
    lines.push(latencyRow(label, await latency(50, () => get(path)), raw));
  }
  for (const [label, path] of [
    ['GET /reports/yearly (target < 2 s)', '/reports/yearly'],
    ['GET /reports/trends', '/reports/trends'],
    ['GET /changes, the last 10,000 events', `/changes?from=${since}`],
  ]) {
    lines.push(latencyRow(label, await latency(5, () => get(path))));
  }
  return lines;
}

/** A 10,000-row export as XLSX: how long, and how much the service's memory grows while it writes. */
async function exportCost(url: string, token: string, get: (path: string) => Promise<unknown>): Promise<string> {
  // The filter of those tried whose total is nearest ten thousand rows.
  const candidates = [
    'partner=police&status=closed',
    'partner=police&status=withdrawn',
    'status=withdrawn',
    'partner=police&status=evidenced',
  ];
  const totals = await Promise.all(
    candidates.map(async (filter) => ({ filter, total: ((await get(`/actions?limit=1&${filter}`)) as { total: number }).total })),
  );
  const { filter, total } = totals.sort((a, b) => Math.abs(a.total - 10_000) - Math.abs(b.total - 10_000))[0];
  const {
    result: took,
    startMb,
    peakMb,
  } = await withMemory(async () => {
    const started = performance.now();
    const response = await fetch(`${url}/actions?format=xlsx&${filter}`, { headers: { authorization: `Bearer ${token}` } });
    const bytes = (await response.arrayBuffer()).byteLength;
    if (response.status !== 200 || bytes === 0) throw new Error(`the export answered ${response.status}`);
    return performance.now() - started;
  });
  return (
    `GET /actions?format=xlsx, ${total.toLocaleString('en-GB')} rows (${filter})`.padEnd(52) +
    ` ${(took / 1000).toFixed(2)} s, ${((took / total) * 10).toFixed(2)} s per 10,000 rows (target < 3 s); ` +
    `RSS ${startMb.toFixed(0)} MB before, ${peakMb.toFixed(0)} MB at most`
  );
}

/** Rebuild and verification speed, and as-of latency, against a raw read of the same million events. */
export async function benchLog(serverUrl: string): Promise<string[]> {
  const lines: string[] = [];
  const databaseUrl = await createDatabase(serverUrl, 'bench_projections');
  const pool = createPool(databaseUrl);
  await migrate(pool);
  const loadRate = await load(pool, EVENTS);
  lines.push(row(`loaded ${EVENTS.toLocaleString('en-GB')} synthetic events (setup, for scale)`, loadRate));

  const raw = await rawKeysetRead(pool);
  lines.push(row(`raw keyset read in global order, ${BATCH} a page`, raw));
  const store = new PostgresEventStore(pool);
  // Next to the raw read, in the same state: before the rebuild fills the cache with read models
  // and leaves a million fresh rows for autovacuum.
  const verification = await withMemory(async () => {
    const started = Date.now();
    const result = await verifyLog(store);
    if (!result.ok) throw new Error(`the benchmark log does not verify: ${JSON.stringify(result.firstBad)}`);
    return result.checked / ((Date.now() - started) / 1000);
  });
  lines.push(row('audit: verify the hash chain of the whole log', verification.result, raw));
  lines.push(`  memory during the verification: RSS at most ${verification.peakMb.toFixed(0)} MB`);
  await ensureProjectionSchema(pool, READ_MODELS);
  const rebuild = await withMemory(async () => {
    const started = Date.now();
    const { events } = await rebuildProjections(pool, store, READ_MODELS, { batchSize: BATCH });
    return events / ((Date.now() - started) / 1000);
  });
  lines.push(row(`rebuild of every read model (${READ_MODELS.length}), one pass`, rebuild.result, raw));
  lines.push(
    `  memory during the rebuild: RSS ${rebuild.startMb.toFixed(0)} MB at start, ${rebuild.peakMb.toFixed(0)} MB at most; ` +
      `heap at most ${rebuild.peakHeapMb.toFixed(0)} MB`,
  );
  const { rows } = await pool.query<{ actions: string }>('SELECT count(*) AS actions FROM action_list');
  lines.push(`  read models now hold ${Number(rows[0].actions).toLocaleString('en-GB')} actions`);
  lines.push(await readersCheckCost(pool, store, EVENTS / rebuild.result));
  lines.push(...(await outboxCost(pool, store, raw)));
  lines.push(...(await asOfLatency(databaseUrl, pool)));
  await pool.end();
  return lines;
}

/**
 * What the readers' check of each event against its type's schema costs the rebuild it is part of
 * (each event is checked once a pass, whichever read models fold it), and what the quarantine cost:
 * nothing is written to it while no event is set aside.
 */
async function readersCheckCost(pool: Pool, store: PostgresEventStore, rebuildSeconds: number): Promise<string> {
  const events = [];
  for (let after = 0n; events.length < 100_000;) {
    const page = await store.readAll(after, BATCH);
    if (page.length === 0) break;
    events.push(...page);
    after = page[page.length - 1].position;
  }
  const started = performance.now();
  const unreadable = events.filter((event) => whyUnfoldable(event) !== undefined).length;
  const perEvent = (performance.now() - started) / 1000 / events.length;
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_quarantine');
  if (unreadable > 0 || rows[0].n > 0)
    throw new Error(`the benchmark log has events its readers cannot fold: ${unreadable}, ${rows[0].n} set aside`);
  const share = (perEvent * EVENTS) / rebuildSeconds;
  return (
    `  readers' schema check: ${(perEvent * 1e6).toFixed(2)} µs an event, ${(perEvent * EVENTS).toFixed(1)} s of the rebuild's ` +
    `${rebuildSeconds.toFixed(1)} s (${(share * 100).toFixed(1)}%); quarantine: none set aside, nothing written to it`
  );
}

/**
 * Mail over the same log: the outbox's first catch-up (the log is history, so it mails nothing but
 * learns every action's owner and due date), then a sweep for the reminders due on the median due
 * date, and the same sweep again, which finds them all decided already.
 */
async function outboxCost(pool: Pool, store: PostgresEventStore, raw: number): Promise<string[]> {
  const { rows } = await pool.query<{ day: string }>(
    'SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY due_date))::text AS day FROM action_list WHERE due_date IS NOT NULL',
  );
  const outbox = new Outbox(pool, store, () => new Date(`${rows[0].day}T10:00:00Z`), 'subgroup@bench.example');
  await migrateService(pool);
  const seconds = async (work: () => Promise<number>) => {
    const started = Date.now();
    const result = await work();
    return { result, seconds: (Date.now() - started) / 1000 };
  };
  const caughtUp = await seconds(() => outbox.catchUp(() => false));
  const { rows: watched } = await pool.query<{ outstanding: string }>(
    `SELECT count(*) AS outstanding FROM notification_actions WHERE ${openAndOwnedSql('status')}`,
  );
  const first = await seconds(() => outbox.sweep());
  const again = await seconds(() => outbox.sweep());
  return [
    row("mail: the outbox's first catch-up over the log", caughtUp.result / caughtUp.seconds, raw),
    `  sweep over ${Number(watched[0].outstanding).toLocaleString('en-GB')} outstanding actions on ${rows[0].day}: ` +
      `${first.result.toLocaleString('en-GB')} mails decided in ${first.seconds.toFixed(1)} s; again, none new, in ${again.seconds.toFixed(1)} s`,
  ];
}

/** Projection lag, recorded → applied, while the HTTP write path runs at a fixed rate. */
export async function benchLag(serverUrl: string): Promise<string[]> {
  const lines: string[] = [];
  for (const rate of LAG_RATES) {
    const service = await startBenchService(serverUrl, `bench_lag_${rate}`);
    const seconds = Math.max(SECONDS, 10);
    const offer = (duration: number) =>
      offerPacedLoadFromAnotherProcess({
        url: `${service.url}/reviews`,
        token: service.token,
        connections: 64,
        seconds: duration,
        rate,
        body: { reference: 'BENCH', title: 'Benchmark review', kind: 'other' },
      });
    const delayHistogram = projectionDelayHistogram(service.app.get(Metrics));
    await offer(WARM_UP_SECONDS);
    delayHistogram.reset();
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const result = await offer(seconds);
    loopDelay.disable();
    const delays = await projectionDelays(delayHistogram);
    await service.close();
    lines.push(
      row(`HTTP POST /reviews offered evenly at ${rate}/s for ${seconds} s, achieved`, result.ok / result.seconds) +
        `   (${result.failed} failed)`,
      `  projection lag, recorded → applied, over ${delays.count} events: p50 ${delays.p50.toFixed(1)} ms, p99 ${delays.p99.toFixed(1)} ms`,
      `  the service's event-loop delay meanwhile: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`,
    );
  }
  return lines;
}
