import { hash as digest } from 'node:crypto';
import { GENESIS_HASH, HashInput, LogHead, RecordedEvent, chainHash } from '@app/event-store';

export type ChainFaultReason = 'missing' | 'altered' | 'truncated' | 'unexpected' | 'checkpoint-mismatch' | 'checkpoint-signature';

/** The first place the log stops being what was recorded, and why. */
export type ChainFault = Readonly<{ position: string; stream: string | null; reason: ChainFaultReason; detail: string }>;

/** A hash a verifier must find at a position, e.g. from a signed checkpoint an auditor kept. */
export type ExpectedHash = Readonly<{ position: bigint; hash: string }>;

/**
 * Recomputes the hash chain event by event, in global order, and stops at the first fault: a
 * position with no event (deleted), an event whose hash is not what its content and its place
 * give (edited, moved, swapped or forged), a hash that differs from a checkpoint, or a log that
 * ends before or after its head (truncated, or added to). Memory does not grow with the log.
 */
export class ChainVerifier {
  private previousHash: string;
  private expected: bigint;
  private found?: ChainFault;
  private checkedCount = 0;
  private readonly checkpoints: ExpectedHash[];

  /** From the start of the log, or from a position and the hash stored there. */
  constructor(checkpoints: readonly ExpectedHash[] = [], from: ExpectedHash = { position: 0n, hash: GENESIS_HASH }) {
    this.checkpoints = [...checkpoints].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    this.previousHash = from.hash;
    this.expected = from.position + 1n;
  }

  get checked(): number {
    return this.checkedCount;
  }

  /** The last position checked and found good: 0 before any. */
  get reached(): bigint {
    return this.expected - 1n;
  }

  get fault(): ChainFault | undefined {
    return this.found;
  }

  /** Checks the next event; false once a fault is found, after which nothing more is checked. */
  accept(event: RecordedEvent): boolean {
    if (this.found) return false;
    if (event.position !== this.expected) {
      return this.fail(this.expected, null, 'missing', `no event at position ${this.expected}; the next one is at ${event.position}`);
    }
    const hash = chainHash(this.previousHash, event);
    if (hash !== event.hash) {
      return this.fail(
        event.position,
        event.streamId,
        'altered',
        'the event is not what was recorded at this position: edited, moved or forged',
      );
    }
    if (!this.vouchedFor(event.position, hash)) {
      return this.fail(
        event.position,
        event.streamId,
        'checkpoint-mismatch',
        'the history up to here differs from the one a signed checkpoint vouched for',
      );
    }
    return this.advance(hash);
  }

  /**
   * Checks the next event from its hash input, as the store rendered it. False, with no fault,
   * when that is not the next link in the chain: a store may hold an event in a form it cannot
   * render exactly, so only `accept`, given the event itself, decides that it is wrong.
   */
  acceptInput({ position, input, hash }: HashInput): boolean {
    if (this.found || position !== this.expected) return false;
    input.write(this.previousHash, 0, 32, 'hex');
    return digest('sha256', input, 'hex') === hash && this.vouchedFor(position, hash) && this.advance(hash);
  }

  /** Whether every checkpoint at this position names this hash; those that do are done with. */
  private vouchedFor(position: bigint, hash: string): boolean {
    while (this.checkpoints.length > 0 && this.checkpoints[0].position === position) {
      if (this.checkpoints[0].hash !== hash) return false;
      this.checkpoints.shift();
    }
    return true;
  }

  private advance(hash: string): true {
    this.previousHash = hash;
    this.expected += 1n;
    this.checkedCount += 1;
    return true;
  }

  /** Checks that the log reached the head it was read up to; answers the first fault, if any. */
  finish(head: LogHead): ChainFault | undefined {
    if (this.found) return this.found;
    const last = this.expected - 1n;
    if (last < head.position) {
      this.fail(this.expected, null, 'truncated', `the log ends at position ${last}, but its head records ${head.position}`);
    } else if (head.position > 0n && head.hash !== this.previousHash) {
      this.fail(last, null, 'altered', 'the last event does not hash to the hash its head records');
    } else if (this.checkpoints.length > 0) {
      this.fail(this.checkpoints[0].position, null, 'truncated', 'a signed checkpoint vouches for a position the log no longer reaches');
    }
    return this.found;
  }

  private fail(position: bigint, stream: string | null, reason: ChainFaultReason, detail: string): false {
    this.found = { position: position.toString(), stream, reason, detail };
    return false;
  }
}
