import { KnownLog, LogTip } from '../append-plan';
import { IDEMPOTENCY_WINDOW_MS, IdempotencyRecord, RecordedEvent } from '../event-store.port';
import { GENESIS_HASH } from '../hash-chain';

const claimKey = (scope: string, key: string) => `${scope}\u0000${key}`;

/**
 * What an append needs to know about the log, kept in memory by following it in order: each
 * stream's positions, every event id, the idempotency claims and each position's recorded time.
 * About 150 bytes an event: some 150 MB for a million.
 */
export class LogIndex implements KnownLog {
  private readonly streams = new Map<string, number[]>();
  private readonly eventIds = new Set<string>();
  private readonly claims = new Map<string, IdempotencyRecord>();
  /** Recorded time of each position, in milliseconds: position p at index p - 1. */
  private readonly times: number[] = [];
  private last: LogTip = { position: 0n, hash: GENESIS_HASH, recordedAt: new Date(0) };

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly idempotencyWindowMs = IDEMPOTENCY_WINDOW_MS,
  ) {}

  get tip(): LogTip {
    return this.last;
  }

  /** Takes the next event of the log; one it already has is ignored, and one beyond the next is a gap it refuses. */
  apply(event: RecordedEvent, claim?: IdempotencyRecord): void {
    if (event.position <= this.last.position) return;
    if (event.position !== this.last.position + 1n) {
      throw new Error(`The log index is at position ${this.last.position} and was handed position ${event.position}.`);
    }
    const positions = this.streams.get(event.streamId);
    if (positions) positions.push(Number(event.position));
    else this.streams.set(event.streamId, [Number(event.position)]);
    this.eventIds.add(event.eventId);
    if (claim) this.claims.set(claimKey(claim.scope, claim.key), claim);
    this.times.push(event.recordedAt.getTime());
    this.last = { position: event.position, hash: event.hash, recordedAt: event.recordedAt };
  }

  versionOf(streamId: string): number {
    return this.streams.get(streamId)?.length ?? 0;
  }

  positionsOf(streamId: string): readonly number[] {
    return this.streams.get(streamId) ?? [];
  }

  isRecorded(eventId: string): boolean {
    return this.eventIds.has(eventId);
  }

  liveClaim(scope: string, key: string): IdempotencyRecord | undefined {
    const claim = this.claims.get(claimKey(scope, key));
    return claim && this.now().getTime() - claim.createdAt.getTime() < this.idempotencyWindowMs ? claim : undefined;
  }

  /** The last position recorded at or before the instant: recorded times never decrease, so a binary search. */
  positionAt(instant: Date): bigint {
    const time = instant.getTime();
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.times[middle] <= time) low = middle + 1;
      else high = middle;
    }
    return BigInt(low);
  }
}
