import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { keepLeading } from '@app/projections';
import { CLOCK, Clock } from '../clock/clock';
import { MailConfig } from '../config/config';
import { DATABASE_POOL } from '../database/database-pool';
import { Metrics } from '../observability/metrics';
import { DemoPartnership } from '../demo/demo-partnership';
import { MailSender } from './mail-sender';
import { NotificationStatus, Outbox, OutboxMail } from './outbox';

export const MAIL_CONFIG = Symbol('MailConfig');

/** How often the leader looks for new events and for mail due to go. */
const ROUND_MS = 1000;
const ELECTION_MS = 1000;

/** What /health/ready says of mail. */
export type MailHealth =
  | Readonly<{ status: 'off'; reason: string }>
  | Readonly<{
      status: 'on';
      sending: boolean;
      pending: number;
      waitingForMailbox: number;
      failed: number;
      subgroup: string;
      assumed?: readonly string[];
      serverError?: string;
    }>;

/** What kind of failure a mail server's error was (ECONNREFUSED, EAUTH, a reply code), without what it names. */
export const errorCode = (error: string): string => /\b(E[A-Z]{3,}|[45]\d\d)\b/.exec(error)?.[1] ?? 'the mail server failed';

/**
 * The partnership's notifications: of all instances, the one leading applies new events to the
 * outbox, sweeps for reminders at start and every REMINDER_SWEEP_SECONDS, and sends what is due.
 * Without SMTP_URL none of it runs.
 */
@Injectable()
export class Notifications implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('notifications');
  private readonly outbox: Outbox;
  private readonly sender?: MailSender;
  private stopped = false;
  private leading = false;
  private running?: Promise<void>;
  private wakeUp?: () => void;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MAIL_CONFIG) private readonly config: MailConfig,
    metrics: Metrics,
    private readonly demo: DemoPartnership,
  ) {
    this.outbox = new Outbox(pool, store, clock, config.enabled ? config.subgroupEmail : undefined);
    if (!config.enabled) return;
    this.sender = new MailSender(pool, clock, config);
    metrics.reportMail(() => this.outbox.waiting());
  }

  onApplicationBootstrap(): void {
    if (!this.config.enabled) {
      this.logger.log(`mail is off: ${this.config.why}`);
      return;
    }
    for (const warning of this.config.assumed) this.logger.warn(warning);
    // A demonstration loaded at first start is history to the outbox, as the log before mail was on is.
    this.running = this.demo.settled.then(() => this.keepSending());
  }

  private keepSending(): Promise<void> {
    return keepLeading({
      pool: this.pool,
      name: 'notifications',
      lead: (session) => this.lead(session),
      stopped: () => this.stopped,
      pause: (milliseconds) => this.pause(milliseconds),
      electionIntervalMs: ELECTION_MS,
      onSessionError: () => this.wakeUp?.(),
      onLost: () => (this.leading = false),
      onError: (error) => this.logger.warn({ err: error }, 'notifications will retry'),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
    this.sender?.close();
  }

  list(filter: Readonly<{ status?: NotificationStatus; actionId?: string; limit: number }>): Promise<OutboxMail[]> {
    return this.outbox.list(filter);
  }

  /**
   * Whether mail goes, and what waits. For `anyone` (the unauthenticated health check) the mail
   * server's error is only its code, and an unset setting only its name: no host, port or address.
   */
  async health({ audience = 'staff' }: { audience?: 'staff' | 'anyone' } = {}): Promise<MailHealth> {
    if (!this.config.enabled) return { status: 'off', reason: this.config.why };
    const waiting = await this.outbox.waiting();
    const serverError = this.sender?.serverError;
    const assumed = audience === 'anyone' ? this.config.assumed.map((warning) => warning.split(':')[0]) : this.config.assumed;
    return {
      status: 'on',
      sending: this.leading,
      pending: waiting.pending,
      waitingForMailbox: waiting.withoutMailbox,
      failed: waiting.failed,
      subgroup: this.config.subgroupEmail ? 'on' : 'off: SUBGROUP_EMAIL is not set',
      ...(assumed.length > 0 && { assumed }),
      ...(serverError && { serverError: audience === 'anyone' ? errorCode(serverError) : serverError }),
    };
  }

  /** As the leader: applies events, sweeps when due, sends; a round a second. */
  private async lead(session: PoolClient): Promise<void> {
    if (!this.config.enabled || !this.sender) return;
    this.leading = true;
    let sweptAt = Number.NEGATIVE_INFINITY;
    while (!this.stopped) {
      await this.outbox.catchUp(() => this.stopped);
      if (Date.now() - sweptAt >= this.config.sweepSeconds * 1000) {
        const added = await this.outbox.sweep();
        if (added > 0) this.logger.log({ added, at: this.clock().toISOString() }, 'reminders due');
        sweptAt = Date.now();
      }
      await this.sender.sendDue(() => this.stopped);
      await this.pause(ROUND_MS);
      // Proves the session, and with it the lock, is still ours.
      await session.query('SELECT 1');
    }
  }

  private pause(milliseconds: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, milliseconds);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
