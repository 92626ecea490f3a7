import { Pool, PoolClient } from 'pg';
import { EventStore, RecordedEvent, StreamOrderedReads, readsByStream } from '@app/event-store';
import { PROJECTION_BEGIN, applyBatch, moveCheckpoints, readCheckpoints } from './checkpoints';
import {
  DocumentBuffer,
  DocumentChanges,
  copyDocuments,
  createIndexesSql,
  createTableOnlySql,
  primaryKeySql,
  writeDocuments,
} from './document-table';
import { Projection, ProjectionTarget, liveTarget, shadowTarget } from './projection';
import { forgetQuarantine, recordSetAside, swapQuarantine } from './quarantine';
import { StreamFold } from './stream-fold';
import { inTransaction } from './transaction';

export type RebuildProgress = Readonly<{
  projections: readonly string[];
  /** Events folded so far, of the `head` there were when the rebuild began: the first pass's, then the next's. */
  events: number;
  /** Where the rebuilt projections stand: 0 until every pass is done, then the last position applied. */
  position: bigint;
  head: bigint;
}>;

export type RebuildOptions = Readonly<{
  batchSize?: number;
  /** Documents each projection folded in global order keeps in memory: memory stays flat, however long the log. */
  capacity?: number;
  /** Changed documents that make the rebuild write to its shadow tables. */
  flushEvery?: number;
  onProgress?: (progress: RebuildProgress) => void;
}>;

type RebuildStore = Pick<EventStore, 'readAll' | 'headPosition'> & Partial<StreamOrderedReads>;
type Pass = Readonly<{ until: bigint; batchSize: number; flushEvery: number; onProgress: (events: number) => void }>;

export class RebuildAlreadyRunning extends Error {
  constructor(readonly projections: readonly string[]) {
    super(`A rebuild of ${projections.join(', ')} is already running.`);
    this.name = 'RebuildAlreadyRunning';
  }
}

/** Which shadow table each projection is rebuilt into, and how each is filled. */
type RebuildPlan = Readonly<{
  names: readonly string[];
  lives: readonly ProjectionTarget[];
  shadows: readonly ProjectionTarget[];
  /** Folded from one read of the log stream by stream (step 2). */
  byStream: readonly ProjectionTarget[];
  /** Folded from one read in global order (step 3). */
  inOrder: readonly ProjectionTarget[];
  /** Current tables that their history, folded stream by stream, fills as it goes. */
  filledWithHistory: readonly ProjectionTarget[];
  historyShadowOf: (shadow: ProjectionTarget) => ProjectionTarget | undefined;
  currentShadowOf: (history: ProjectionTarget) => ProjectionTarget | undefined;
}>;

function planRebuild(store: RebuildStore, projections: readonly Projection[]): RebuildPlan {
  const shadows = projections.map(shadowTarget);
  // A projection rebuilt with its history needs no fold of its own: its documents are the versions still valid.
  const historyShadowOf = (shadow: ProjectionTarget) => shadows.find((other) => other.projection.versionsOf === shadow.projection);
  const currentShadowOf = (history: ProjectionTarget) => shadows.find((other) => history.projection.versionsOf === other.projection);
  const folded = shadows.filter((shadow) => historyShadowOf(shadow) === undefined);
  const byStream = readsByStream(store) ? folded.filter((shadow) => shadow.projection.keyedWithinStream) : [];
  return {
    names: projections.map((projection) => projection.name),
    lives: projections.map(liveTarget),
    shadows,
    byStream,
    inOrder: folded.filter((shadow) => !byStream.includes(shadow)),
    // Folded stream by stream, a history hands over its current versions as it goes; otherwise they are copied from it.
    filledWithHistory: byStream.flatMap((history) => currentShadowOf(history) ?? []),
    historyShadowOf,
    currentShadowOf,
  };
}

/**
 * Rebuilds projections from the first event into shadow tables while the live tables keep
 * answering, in the steps `docs/projections.md` numbers: (1) empty shadow tables and checkpoints;
 * (2, 3, 4) every event up to the head as it was at the start folded into them, stream by stream
 * where each document stays within a stream, in global order otherwise; (5) indexes built once over
 * the full tables; (6) holding the live checkpoints so the runner waits, the events that came
 * meanwhile applied and every shadow swapped in, in one transaction: readers see the old tables or
 * the new ones, never a half-built one.
 */
export async function rebuildProjections(
  pool: Pool,
  store: RebuildStore,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildProgress> {
  const batchSize = options.batchSize ?? 2000;
  const plan = planRebuild(store, projections);
  const lock = await pool.connect();
  lock.on('error', () => undefined);
  try {
    await takeRebuildLocks(lock, plan.names);
    const until = await store.headPosition();
    await createShadows(pool, plan);
    const report = (events: number) => options.onProgress?.({ projections: plan.names, events, position: 0n, head: until });
    await foldUpTo(pool, store, plan, { until, batchSize, flushEvery: options.flushEvery ?? 20_000, onProgress: report }, options.capacity);
    await indexShadows(pool, plan);
    await inTransaction(pool, (client) =>
      moveCheckpoints(
        client,
        plan.shadows.map((shadow) => shadow.checkpoint),
        until,
      ),
    );
    const { position, caughtUp } = await catchUpAndSwap(pool, store, plan, batchSize);
    return { projections: plan.names, events: Number(until) + caughtUp, position, head: position };
  } finally {
    // Closing the session gives the rebuild locks up, even if the session was lost.
    lock.release(true);
  }
}

/** One rebuild of a projection at a time, across every process: the locks are the session's. */
async function takeRebuildLocks(lock: PoolClient, names: readonly string[]): Promise<void> {
  const { rows } = await lock.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock(hashtext(key)) AS locked FROM unnest($1::text[]) AS key',
    [names.map((name) => `rebuild:${name}`)],
  );
  if (rows.some((row) => !row.locked)) throw new RebuildAlreadyRunning(names);
}

/** Step 1: each shadow table made anew without its indexes, and its checkpoint at 0. */
async function createShadows(pool: Pool, { shadows, inOrder }: RebuildPlan): Promise<void> {
  await inTransaction(pool, async (client) => {
    for (const shadow of shadows) {
      await client.query(`DROP TABLE IF EXISTS ${shadow.table}`);
      await forgetQuarantine(client, shadow.checkpoint);
      await client.query(createTableOnlySql(shadow));
      // Folding in global order looks documents up by key; the other tables get their key once full.
      if (inOrder.includes(shadow)) await client.query(primaryKeySql(shadow));
      await client.query(
        `INSERT INTO projection_checkpoints (name, version, position) VALUES ($1, $2, 0)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = 0, updated_at = now()`,
        [shadow.checkpoint, shadow.projection.version],
      );
    }
  });
}

/** Steps 2 to 4: every event up to the pass's `until` folded into the shadows, in global order or stream by stream. */
async function foldUpTo(pool: Pool, store: RebuildStore, plan: RebuildPlan, pass: Pass, capacity = 20_000): Promise<void> {
  if (plan.inOrder.length > 0) await foldInOrder(pool, store, plan.inOrder, { ...pass, capacity });
  if (plan.byStream.length > 0) {
    const folds = plan.byStream.map((shadow) => new StreamFold(shadow, plan.currentShadowOf(shadow)));
    await foldByStream(pool, (store as StreamOrderedReads).readByStream.bind(store), folds, pass);
  }
}

/**
 * Step 5: indexes built once over the whole table cost far less than kept up row by row. The
 * shadows are this rebuild's alone until the swap, so each step commits on its own: first every
 * table's documents and key, then every other index, two builds at a time (each keeps a database
 * core busy; two on one table may run at once), then statistics, so that the planner uses the
 * indexes from the first query on the swapped-in tables. Histories, the largest, go first.
 */
async function indexShadows(pool: Pool, { shadows, inOrder, filledWithHistory, historyShadowOf }: RebuildPlan): Promise<void> {
  const largestFirst = [...shadows].sort((a, b) => Number(b.projection.keepsHistory ?? false) - Number(a.projection.keepsHistory ?? false));
  await twoAtATime(largestFirst, async (shadow) => {
    const history = historyShadowOf(shadow);
    if (history && !filledWithHistory.includes(shadow)) {
      await pool.query(
        `INSERT INTO ${shadow.table} (key, position, doc) SELECT key, position, doc FROM ${history.table} WHERE valid_to IS NULL`,
      );
    }
    if (!inOrder.includes(shadow)) await pool.query(primaryKeySql(shadow));
  });
  await twoAtATime(largestFirst.flatMap(createIndexesSql), (sql) => pool.query(sql));
  await twoAtATime(largestFirst, (shadow) => pool.query(`ANALYZE ${shadow.table}`));
}

/**
 * Step 6, in one transaction: the live and shadow checkpoints locked (the live runner waits), the
 * events recorded since the folds began applied to the shadows, then each shadow renamed into its
 * live table's place, with the live checkpoint where the shadow's reached.
 */
async function catchUpAndSwap(
  pool: Pool,
  store: RebuildStore,
  { lives, shadows }: RebuildPlan,
  batchSize: number,
): Promise<{ position: bigint; caughtUp: number }> {
  return inTransaction(pool, async (client) => {
    await readCheckpoints(
      client,
      [...lives, ...shadows].map((target) => target.checkpoint),
      true,
    );
    let caughtUp = 0;
    for (;;) {
      const reached = await readCheckpoints(
        client,
        shadows.map((shadow) => shadow.checkpoint),
      );
      const position = shadows.reduce((lowest, shadow) => {
        const at = reached.get(shadow.checkpoint)!.position;
        return at < lowest ? at : lowest;
      }, reached.get(shadows[0].checkpoint)!.position);
      const batch = await store.readAll(position, batchSize);
      if (batch.length > 0) {
        await applyBatch(client, shadows, batch);
        caughtUp += batch.length;
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
        await swapQuarantine(client, live.checkpoint, shadow.checkpoint);
      }
      return { position, caughtUp };
    }
  });
}

/**
 * Writes what folds hand over on a connection of its own, one write at a time, while the next
 * events are read and folded; a failure surfaces at the next write or at `finished`.
 */
class ShadowWriter {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly pool: Pool) {}

  /** Waits for the write before, then starts this one; `beforeNext` runs once the one before is committed. */
  async write(work: (client: PoolClient) => Promise<void>, beforeNext?: () => void): Promise<void> {
    await this.writing;
    beforeNext?.();
    this.writing = inTransaction(this.pool, work, { begin: PROJECTION_BEGIN });
    this.writing.catch(() => undefined);
  }

  finished(): Promise<void> {
    return this.writing;
  }
}

/** Reads pages of events ahead: the next page is on its way while this one is folded. */
async function readAhead(
  read: (last: RecordedEvent | undefined) => Promise<RecordedEvent[]>,
  batchSize: number,
  fold: (batch: RecordedEvent[]) => Promise<void>,
): Promise<void> {
  let next: Promise<RecordedEvent[]> | undefined = read(undefined);
  while (next) {
    const batch: RecordedEvent[] = await next;
    if (batch.length === 0) break;
    next = batch.length === batchSize ? read(batch[batch.length - 1]) : undefined;
    next?.catch(() => undefined);
    await fold(batch);
  }
}

/** Folds the log up to `until`, stream by stream, into empty shadow tables without keys, by COPY. */
async function foldByStream(
  pool: Pool,
  readByStream: StreamOrderedReads['readByStream'],
  folds: readonly StreamFold[],
  pass: Pass,
): Promise<void> {
  const writer = new ShadowWriter(pool);
  const flush = () => {
    const rows = folds.flatMap((fold) => fold.takeRows());
    const aside = folds.flatMap((fold) => fold.takeSetAside());
    return writer.write(async (client) => {
      for (const [target, documents] of rows) await copyDocuments(client, target, documents);
      await recordSetAside(client, aside);
    });
  };
  let events = 0;
  let stream: string | undefined;
  const read = (last: RecordedEvent | undefined) =>
    readByStream(pass.until, last && { streamId: last.streamId, version: last.version }, pass.batchSize);
  await readAhead(read, pass.batchSize, async (batch) => {
    for (const event of batch) {
      if (event.streamId !== stream) {
        folds.forEach((fold) => fold.endStream());
        stream = event.streamId;
      }
      for (const fold of folds) fold.apply(event);
    }
    events += batch.length;
    if (folds.reduce((sum, fold) => sum + fold.pending, 0) >= pass.flushEvery) await flush();
    pass.onProgress(events);
  });
  folds.forEach((fold) => fold.endStream());
  await flush();
  await writer.finished();
}

/**
 * Folds the log up to `until`, in global order, into the empty shadow tables, keeping documents in
 * memory between writes. Reads only the event types the projections handle, when they say.
 */
async function foldInOrder(
  pool: Pool,
  store: Pick<EventStore, 'readAll'>,
  shadows: readonly ProjectionTarget[],
  pass: Pass & { capacity: number },
): Promise<void> {
  const buffers = shadows.map((shadow) => new DocumentBuffer(shadow, { capacity: pass.capacity, tableStartsEmpty: true }));
  const writer = new ShadowWriter(pool);
  const flush = (last = false) => {
    let changes: DocumentChanges[] = [];
    return writer.write(
      async (client) => {
        for (const [index, buffer] of buffers.entries()) await writeDocuments(client, buffer.target, changes[index]);
      },
      () => {
        // What the last write held is committed: it may leave memory now, between two batches.
        buffers.forEach((buffer) => buffer.forgetWritten());
        changes = buffers.map((buffer) => buffer.takeChanges({ holdCurrent: !last }));
      },
    );
  };
  const types = shadows.every((shadow) => shadow.projection.eventTypes)
    ? shadows.flatMap((shadow) => shadow.projection.eventTypes!)
    : undefined;
  const read = async (last: RecordedEvent | undefined) =>
    last && last.position >= pass.until ? [] : store.readAll(last?.position ?? 0n, pass.batchSize, { types });
  await readAhead(read, pass.batchSize, async (page) => {
    const batch = page.filter((event) => event.position <= pass.until);
    for (const buffer of buffers) await buffer.apply(pool, batch);
    if (buffers.reduce((sum, buffer) => sum + buffer.changed, 0) >= pass.flushEvery) await flush();
    pass.onProgress(Number(batch.at(-1)?.position ?? pass.until));
  });
  await flush(true);
  await writer.finished();
}

async function twoAtATime<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all([worker(), worker()]);
}
