// A process that does nothing but run the projection runner, for tests that kill it.
import { Pool } from 'pg';
import { PostgresEventStore } from '@app/event-store';
import { ProjectionRunner } from '@app/projections';
import { READ_MODELS } from '@app/read-models';
import { countingProjection } from '@app/projections/testing';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 6 });
pool.on('error', () => undefined);
pool.on('connect', (client) => client.on('error', () => undefined));
const runner = new ProjectionRunner({
  pool,
  store: new PostgresEventStore(pool),
  projections: [...READ_MODELS, countingProjection()],
  batchSize: Number(process.env.BATCH_SIZE ?? 200),
  electionIntervalMs: 200,
});
runner.start();
const watch = setInterval(() => {
  if (!runner.isLeader) return;
  process.stdout.write(`leader ${process.pid}\n`);
  clearInterval(watch);
}, 10);
process.stdout.write(`started ${process.pid}\n`);
