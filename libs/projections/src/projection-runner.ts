import { Pool, PoolClient } from 'pg';
import { keepLeading } from './leadership';
import { EVENT_LOG_CHANNEL, EventStore, RecordedEvent } from '@app/event-store';
import { catchUp } from './catch-up';
import { ensureProjectionSchema, readCheckpoints } from './checkpoints';
import { Projection, liveTarget } from './projection';
import { RebuildProgress, rebuildProjections } from './rebuild';

export type ProjectionRunnerOptions = Readonly<{
  pool: Pool;
  store: Pick<EventStore, 'readAll' | 'headPosition'>;
  projections: readonly Projection[];
  /** Runners with the same name elect one leader among them, across processes. */
  name?: string;
  batchSize?: number;
  /** How often to look for events when no notification came: the fallback when one is lost. */
  pollIntervalMs?: number;
  /** How often a runner that is not the leader tries to become it. */
  electionIntervalMs?: number;
  onApplied?: (events: readonly RecordedEvent[]) => void;
  /** Told when this runner becomes the leader, and when it stops being it. */
  onLeadership?: (leading: boolean) => void;
  onRebuild?: (progress: RebuildProgress) => void;
  onError?: (error: unknown) => void;
}>;

/**
 * Keeps projections in step with the log. Of all runners sharing a name, the one holding a
 * PostgreSQL advisory lock applies events; when its process or connection dies, the lock is
 * released and another runner takes over within one election interval. The leader catches up
 * from the stored checkpoints, rebuilds any projection whose version changed, then follows the
 * log, woken by LISTEN/NOTIFY and by a slow poll.
 */
export class ProjectionRunner {
  private stopped = false;
  private running?: Promise<void>;
  private pending = false;
  private wakeUp?: () => void;
  private leading = false;
  private readonly options: Required<Omit<ProjectionRunnerOptions, 'onApplied' | 'onLeadership' | 'onRebuild' | 'onError'>> &
    ProjectionRunnerOptions;

  constructor(options: ProjectionRunnerOptions) {
    this.options = { name: 'read-models', batchSize: 1000, pollIntervalMs: 1000, electionIntervalMs: 1000, ...options };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  private wake(): void {
    this.pending = true;
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  private pause(milliseconds: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, milliseconds);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private run(): Promise<void> {
    return keepLeading({
      pool: this.options.pool,
      name: `projections:${this.options.name}`,
      lead: (session) => this.follow(session),
      stopped: () => this.stopped,
      pause: (milliseconds) => this.pause(milliseconds),
      electionIntervalMs: this.options.electionIntervalMs,
      onSessionError: () => this.wake(),
      onLost: () => this.lead(false),
      onError: (error) => this.options.onError?.(error),
    });
  }

  private lead(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.onLeadership?.(leading);
  }

  /** As the leader: applies what the log holds, then each new event as it comes. */
  private async follow(client: PoolClient): Promise<void> {
    client.on('notification', () => this.wake());
    await client.query(`LISTEN ${EVENT_LOG_CHANNEL}`);
    await ensureProjectionSchema(this.options.pool, this.options.projections);
    this.lead(true);
    await this.rebuildChangedProjections();
    const targets = this.options.projections.map(liveTarget);
    let applied: bigint | undefined;
    let proven = Date.now();
    while (!this.stopped) {
      this.pending = false;
      applied = await catchUp(this.options.pool, this.options.store, targets, {
        batchSize: this.options.batchSize,
        onBatch: this.options.onApplied,
        shouldStop: () => this.stopped,
        from: applied,
      });
      if (!this.pending) await this.pause(this.options.pollIntervalMs);
      // Proves the session, and with it the lock, is still ours: once an election interval, not
      // once a batch (the checkpoint locks keep a runner that lost it from applying anything twice).
      if (Date.now() - proven >= this.options.electionIntervalMs) {
        await client.query('SELECT 1');
        proven = Date.now();
      }
    }
  }

  private async rebuildChangedProjections(): Promise<void> {
    const { pool, store, projections, batchSize, onRebuild } = this.options;
    const checkpoints = await readCheckpoints(
      pool,
      projections.map((projection) => projection.name),
    );
    const changed = projections.filter((projection) => checkpoints.get(projection.name)?.version !== projection.version);
    if (changed.length > 0) await rebuildProjections(pool, store, changed, { batchSize, onProgress: onRebuild });
  }
}
