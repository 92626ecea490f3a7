import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { ProjectionRunner, ensureProjectionSchema, projectionLag } from '@app/projections';
import { READ_MODELS } from '@app/read-models';
import { AuditCheckpoints } from '../audit/audit-checkpoints';
import { DATABASE_POOL } from '../database/database';
import { Metrics } from '../observability/metrics';
import { ACTION_TALLIES_SCHEMA, ActionTallies } from './action-tallies';

const TALLIES_CHECKED_EVERY_MS = 60_000;

/**
 * Creates the read models' tables before the service answers, and runs this instance's
 * projection runner: one runner across all instances leads, applies events, has the log's
 * checkpoints signed and keeps the tallies of the action counts.
 */
@Injectable()
export class ReadModelHost implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('projections');
  private readonly runner: ProjectionRunner;
  private keepingTallies?: NodeJS.Timeout;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) store: EventStore,
    metrics: Metrics,
    checkpoints: AuditCheckpoints,
    private readonly tallies: ActionTallies,
  ) {
    metrics.reportProjectionLag(() => projectionLag(pool, store, READ_MODELS));
    this.runner = new ProjectionRunner({
      pool,
      store,
      projections: READ_MODELS,
      onApplied: (events) => {
        metrics.observeProjected(events);
        checkpoints.afterApplied(events, () => this.runner.isLeader);
        tallies.keep(events[events.length - 1].position);
      },
      onRebuild: ({ projections, events, position, head }) => this.logger.log({ projections, events, position, head }, 'rebuilding'),
      onError: (error) => this.logger.warn({ err: error }, 'projection runner will retry'),
    });
    metrics.reportLeadership(() => this.runner.isLeader);
  }

  async onModuleInit(): Promise<void> {
    await ensureProjectionSchema(this.pool, READ_MODELS);
    await this.pool.query(ACTION_TALLIES_SCHEMA);
  }

  onApplicationBootstrap(): void {
    this.runner.start();
    this.tallies.keep();
    // Also on a timer: a rebuild by the CLI replaces the history table without a word to this process.
    this.keepingTallies = setInterval(() => this.tallies.keep(), TALLIES_CHECKED_EVERY_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.keepingTallies);
    await this.runner.stop();
    await this.tallies.settled();
  }
}
