import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { AuditCheckpoint, readAuditCheckpoints, signCheckpoint } from '@app/audit';
import { AppConfig } from '../config/config';
import { DATABASE_POOL } from '../database/database-pool';
import { AfterApplied } from '../reads/read-model-host';
import { SIGNING_KEY, SigningKey } from './signing-key';

export const AUDIT_CONFIG = Symbol('AuditConfig');

/**
 * Signed checkpoints of the log: every N events or T minutes, the leading instance signs
 * {position, hash, time} with a key kept outside the database and stores the signature, which an
 * auditor can keep and later verify the log against.
 */
@Injectable()
export class AuditCheckpoints implements AfterApplied, OnApplicationShutdown {
  private readonly logger = new Logger('audit');
  private lastSigned?: { position: bigint; at: number };
  private timer?: NodeJS.Timeout;
  private signing = Promise.resolve();

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(AUDIT_CONFIG) private readonly config: AppConfig['audit'],
  ) {}

  all(): Promise<AuditCheckpoint[]> {
    return readAuditCheckpoints(this.pool);
  }

  /** Called with the last event of every batch the leading runner applied. */
  afterApplied(last: Readonly<{ position: bigint; hash: string }>, isLeader: () => boolean): void {
    this.timer ??= setInterval(() => isLeader() && this.signHeadIfMoved(), this.config.checkpointMinutes * 60_000).unref();
    this.queue(async () => {
      const since = await this.lastSignedPosition();
      if (last.position - since >= BigInt(this.config.checkpointEvery)) await this.sign(last.position, last.hash);
    });
  }

  onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    return this.signing;
  }

  private signHeadIfMoved(): void {
    this.queue(async () => {
      const head = await this.store.head();
      if (head.position > (await this.lastSignedPosition())) await this.sign(head.position, head.hash);
    });
  }

  private queue(work: () => Promise<void>): void {
    this.signing = this.signing
      .then(work)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not sign a checkpoint; will try again'));
  }

  private async lastSignedPosition(): Promise<bigint> {
    if (!this.lastSigned) {
      const { rows } = await this.pool.query<{ position: string | null }>('SELECT max(position) AS position FROM audit_checkpoints');
      this.lastSigned = { position: BigInt(rows[0].position ?? 0), at: Date.now() };
    }
    return this.lastSigned.position;
  }

  private async sign(position: bigint, hash: string): Promise<void> {
    const checkpoint = signCheckpoint(this.key.privateKey, this.key.publicKey, { position, hash, signedAt: new Date() });
    await this.pool.query(
      `INSERT INTO audit_checkpoints (position, hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (position) DO NOTHING`,
      [checkpoint.position, checkpoint.hash, checkpoint.signedAt, checkpoint.keyId, checkpoint.signature],
    );
    this.lastSigned = { position, at: Date.now() };
  }
}
