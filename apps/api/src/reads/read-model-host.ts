import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Pool } from 'pg';
import { EVENT_STORE, EventStore, threadBeside } from '@app/event-store';
import { ensureProjectionSchema, projectionLag, quarantinedCount } from '@app/projections';
import { READ_MODELS } from '@app/read-models';
import { DATABASE_POOL } from '../database/database-pool';
import { Metrics } from '../observability/metrics';
import { ActionTallies } from './action-tallies';
import { ProjectionThreadData, ProjectionThreadMessage, STOP_PROJECTIONS } from './projection-thread';

export const PROJECTION_THREAD = Symbol('ProjectionThread');
/** What runs after each batch this instance's runner applied: the audit's signed checkpoints. */
export const AFTER_APPLIED = Symbol('AfterApplied');
export type AfterApplied = Readonly<{
  /** `last` is the batch's last event; `isLeader` says, when asked later, whether this instance still leads. */
  afterApplied(last: Readonly<{ position: bigint; hash: string }>, isLeader: () => boolean): void;
}>;

const TALLIES_CHECKED_EVERY_MS = 60_000;
const RESTART_AFTER_MS = 1000;
const STOP_WITHIN_MS = 10_000;
/** A small young generation: the thread's garbage is short batches, and the service must stay under 200 MB. */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 8 };
/**
 * Creates the read models' tables before the service answers, and runs this instance's
 * projection runner on a thread of its own (see projection-thread): one runner across all
 * instances leads and applies events; this instance, told what it applied, tells what runs after
 * (the log's signed checkpoints) and keeps the tallies of the action counts.
 */
@Injectable()
export class ReadModelHost implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('projections');
  private thread?: Worker;
  private leading = false;
  private stopping = false;
  private restart?: NodeJS.Timeout;
  private keepingTallies?: NodeJS.Timeout;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PROJECTION_THREAD) private readonly threadData: ProjectionThreadData,
    private readonly metrics: Metrics,
    @Inject(AFTER_APPLIED) private readonly afterApplied: AfterApplied,
    private readonly tallies: ActionTallies,
  ) {
    metrics.reportProjectionLag(() => projectionLag(pool, store, READ_MODELS));
    metrics.reportLeadership(() => this.leading);
    metrics.reportQuarantine(() => quarantinedCount(pool));
  }

  async onModuleInit(): Promise<void> {
    await ensureProjectionSchema(this.pool, READ_MODELS);
  }

  /** Ready once the thread runs: a service that answers while its runner is still loading falls behind at once. */
  async onApplicationBootstrap(): Promise<void> {
    await this.startThread();
    this.tallies.keep();
    // Also on a timer: a rebuild by the CLI replaces the history table without a word to this process.
    this.keepingTallies = setInterval(() => this.tallies.keep(), TALLIES_CHECKED_EVERY_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restart);
    clearInterval(this.keepingTallies);
    if (this.thread) {
      const thread = this.thread;
      const exited = once(thread, 'exit');
      thread.postMessage(STOP_PROJECTIONS);
      // A runner stuck on a query that never answers must not hold the service up for ever.
      const stuck = setTimeout(() => void thread.terminate(), STOP_WITHIN_MS);
      await exited;
      clearTimeout(stuck);
    }
    await this.tallies.settled();
  }

  private startThread(): Promise<void> {
    const thread = threadBeside(__filename, 'projection-thread', { workerData: this.threadData, resourceLimits: THREAD_LIMITS });
    this.thread = thread;
    thread.on('error', (error) => this.logger.error({ err: error }, 'the projection thread failed; restarting it'));
    return new Promise<void>((started) => {
      thread.on('message', (message: ProjectionThreadMessage) => (message.kind === 'started' ? started() : this.receive(message)));
      thread.on('exit', () => {
        started();
        this.leading = false;
        this.thread = undefined;
        if (!this.stopping) this.restart = setTimeout(() => void this.startThread(), RESTART_AFTER_MS);
      });
    });
  }

  private receive(message: Exclude<ProjectionThreadMessage, { kind: 'started' }>): void {
    switch (message.kind) {
      case 'applied':
        this.metrics.observeProjected(message.recordedAt, message.appliedAt);
        this.afterApplied.afterApplied(message, () => this.leading);
        this.tallies.keep(message.position);
        return;
      case 'leadership':
        this.leading = message.leading;
        return;
      case 'rebuild':
        this.logger.log(message.progress, 'rebuilding');
        return;
      case 'error':
        this.logger.warn({ err: message.error }, 'projection runner will retry');
    }
  }
}
