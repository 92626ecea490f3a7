import { Pool } from 'pg';
import { EventStore, RecordedEvent } from '@app/event-store';
import { PROJECTION_BEGIN, applyBatch, moveCheckpoints, readCheckpoints } from './checkpoints';
import { DocumentBuffer, createIndexesSql, createTableOnlySql, writeDocuments } from './document-table';
import { Projection, ProjectionTarget, liveTarget, shadowTarget } from './projection';
import { inTransaction } from './transaction';

export type RebuildProgress = Readonly<{ projections: readonly string[]; events: number; position: bigint; head: bigint }>;

export type RebuildOptions = Readonly<{
  batchSize?: number;
  /** Documents each projection keeps in memory while it rebuilds: memory stays flat, however long the log. */
  capacity?: number;
  /** Changed documents that make the rebuild write to its shadow tables. */
  flushEvery?: number;
  onProgress?: (progress: RebuildProgress) => void;
}>;

export class RebuildAlreadyRunning extends Error {
  constructor(readonly projections: readonly string[]) {
    super(`A rebuild of ${projections.join(', ')} is already running.`);
    this.name = 'RebuildAlreadyRunning';
  }
}

/**
 * Rebuilds projections from the first event into shadow tables, reading the log once for all of
 * them, while the live tables keep answering. Then, holding the live checkpoints so the runner
 * waits, it applies the last few events and swaps every shadow in, in one transaction: readers
 * see the old tables or the new ones, never a half-built one.
 */
export async function rebuildProjections(
  pool: Pool,
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildProgress> {
  const batchSize = options.batchSize ?? 2000;
  const names = projections.map((projection) => projection.name);
  const lives = projections.map(liveTarget);
  const shadows = projections.map(shadowTarget);
  const lockKeys = names.map((name) => `rebuild:${name}`);
  const lock = await pool.connect();
  lock.on('error', () => undefined);
  try {
    const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext(key)) AS locked FROM unnest($1::text[]) AS key', [lockKeys]);
    if (rows.some((row) => !row.locked)) throw new RebuildAlreadyRunning(names);

    await inTransaction(pool, async (client) => {
      for (const shadow of shadows) {
        await client.query(`DROP TABLE IF EXISTS ${shadow.table}`);
        await client.query(createTableOnlySql(shadow));
        await client.query(
          `INSERT INTO projection_checkpoints (name, version, position) VALUES ($1, $2, 0)
           ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = 0, updated_at = now()`,
          [shadow.checkpoint, shadow.projection.version],
        );
      }
    });
    let events = 0;
    let head = await store.headPosition();
    const progress = (position: bigint): RebuildProgress => ({ projections: names, events, position, head: head > position ? head : position });
    // A projection rebuilt with its history needs no fold of its own: its documents are the versions still valid.
    const historyShadowOf = (shadow: ProjectionTarget) => shadows.find((other) => other.projection.versionsOf === shadow.projection);
    const derived = shadows.filter((shadow) => historyShadowOf(shadow) !== undefined);
    const filled = await fillShadows(pool, store, shadows.filter((shadow) => !derived.includes(shadow)), { ...options, batchSize }, (position, read) => {
      events = read;
      options.onProgress?.(progress(position));
    });
    events = filled.events;
    // Indexes built once over the whole table cost far less than kept up row by row; statistics
    // taken now let the planner use them from the first query on the swapped-in table. Two tables
    // at a time, histories (the largest) first: each build keeps one database core busy.
    const largestFirst = [...shadows].sort((a, b) => Number(b.projection.keepsHistory ?? false) - Number(a.projection.keepsHistory ?? false));
    await twoAtATime(largestFirst, (shadow) =>
      inTransaction(pool, async (client) => {
        const history = historyShadowOf(shadow);
        if (history) {
          await client.query(`INSERT INTO ${shadow.table} (key, position, doc) SELECT key, position, doc FROM ${history.table} WHERE valid_to IS NULL`);
          await moveCheckpoints(client, [shadow.checkpoint], filled.position);
        }
        for (const sql of createIndexesSql(shadow)) await client.query(sql);
        await client.query(`ANALYZE ${shadow.table}`);
      }),
    );

    return await inTransaction(pool, async (client) => {
      await readCheckpoints(client, [...lives, ...shadows].map((target) => target.checkpoint), true);
      for (;;) {
        const reached = await readCheckpoints(client, shadows.map((shadow) => shadow.checkpoint));
        const position = shadows.reduce((lowest, shadow) => {
          const at = reached.get(shadow.checkpoint)!.position;
          return at < lowest ? at : lowest;
        }, reached.get(shadows[0].checkpoint)!.position);
        const batch = await store.readAll(position, batchSize);
        if (batch.length > 0) {
          await applyBatch(client, shadows, batch);
          events += batch.length;
          continue;
        }
        for (const [index, shadow] of shadows.entries()) {
          const live = lives[index];
          await client.query(`DROP TABLE IF EXISTS ${live.table}`);
          await client.query(`ALTER TABLE ${shadow.table} RENAME TO ${live.table}`);
          await client.query(
            `INSERT INTO projection_checkpoints (name, version, position) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, updated_at = now()`,
            [live.checkpoint, live.projection.version, position.toString()],
          );
          await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [shadow.checkpoint]);
        }
        head = position;
        return progress(position);
      }
    });
  } finally {
    // Closing the session gives the rebuild locks up, even if the session was lost.
    lock.release(true);
  }
}

/**
 * Folds the whole log into the empty shadow tables, keeping documents in memory between writes.
 * Each write runs on its own connection while the next events are read and applied.
 */
async function fillShadows(
  pool: Pool,
  store: Pick<EventStore, 'readAll'>,
  shadows: readonly ProjectionTarget[],
  options: RebuildOptions & { batchSize: number },
  onProgress: (position: bigint, events: number) => void,
): Promise<{ events: number; position: bigint }> {
  const capacity = options.capacity ?? 20_000;
  const flushEvery = options.flushEvery ?? 20_000;
  const buffers = shadows.map((shadow) => new DocumentBuffer(shadow, { capacity, tableStartsEmpty: true }));
  let position = 0n;
  let events = 0;
  let writing: Promise<void> = Promise.resolve();
  const flush = async (last = false) => {
    await writing;
    // What the last write held is committed: it may leave memory now, between two batches.
    buffers.forEach((buffer) => buffer.forgetWritten());
    const changes = buffers.map((buffer) => buffer.takeChanges({ holdCurrent: !last }));
    const reached = position;
    writing = inTransaction(pool, async (client) => {
      for (const [index, buffer] of buffers.entries()) await writeDocuments(client, buffer.target, changes[index]);
      await moveCheckpoints(client, shadows.map((shadow) => shadow.checkpoint), reached);
    }, { begin: PROJECTION_BEGIN });
    // Failures surface when the next write or the end awaits it.
    writing.catch(() => undefined);
  };
  let next: Promise<RecordedEvent[]> | undefined = store.readAll(0n, options.batchSize);
  while (next) {
    const batch: RecordedEvent[] = await next;
    if (batch.length === 0) break;
    position = batch[batch.length - 1].position;
    next = batch.length === options.batchSize ? store.readAll(position, options.batchSize) : undefined;
    next?.catch(() => undefined);
    for (const buffer of buffers) await buffer.apply(pool, batch);
    events += batch.length;
    if (buffers.reduce((sum, buffer) => sum + buffer.changed, 0) >= flushEvery) await flush();
    onProgress(position, events);
  }
  await flush(true);
  await writing;
  return { events, position };
}

async function twoAtATime<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all([worker(), worker()]);
}
