import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { AuditCheckpoint, Verification, auditExport, verifyLog } from '@app/audit';
import { AuditCheckpoints } from './audit-checkpoints';
import { SIGNING_KEY, SigningKey } from './signing-key';

export type LogVerified = Readonly<{ verification: Verification; checkpoints: AuditCheckpoint[] }>;

/**
 * The log verified against the signed checkpoints, one verification at a time: a full pass reads
 * every event, and auditors refreshing a page must not start one each. A caller who asks while a
 * verification runs waits for the next one, shared with everyone else who asks meanwhile; it
 * starts after they asked, so every answer covers the log as it stood when its caller asked.
 */
@Injectable()
export class LogVerification {
  private running?: Promise<LogVerified>;
  private queued?: Promise<LogVerified>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: AuditCheckpoints,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
  ) {}

  verify(): Promise<LogVerified> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<LogVerified> {
    const running = this.run().finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }

  /** The whole log and its checkpoints as NDJSON lines, for an auditor to verify elsewhere. */
  async *exportLines(exportedAt: Date): AsyncGenerator<string> {
    for await (const line of auditExport(this.store, await this.checkpoints.all(), { exportedAt })) yield `${JSON.stringify(line)}\n`;
  }

  private async run(): Promise<LogVerified> {
    const checkpoints = await this.checkpoints.all();
    const verification = await verifyLog(this.store, { checkpoints, publicKey: this.key.publicKey });
    return { verification, checkpoints };
  }
}
