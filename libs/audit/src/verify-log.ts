import { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { AuditCheckpoint, trustedHashes } from './audit-checkpoint';
import { ChainFault, ChainVerifier, ExpectedHash } from './chain-verifier';
import {
  EventStore,
  GENESIS_HASH,
  HashInputScans,
  LogHead,
  SharedPostgres,
  scansHashInputs,
  sharesPostgres,
  threadBeside,
} from '@app/event-store';
import type { RangeThreadData, RangeThreadMessage } from './verify-range.thread';

export type Verification = Readonly<{ ok: boolean; checked: number; head: LogHead; firstBad?: ChainFault }>;

export type VerifyOptions = Readonly<{
  /** Checkpoints an auditor kept (or the store's own): each must verify under `publicKey`, and the chain must pass through its hash. */
  checkpoints?: readonly AuditCheckpoint[];
  publicKey?: KeyObject;
  batchSize?: number;
  /** Into how many ranges to cut the log, for stores that verify ranges at once: by default one a core, from 100,000 events. */
  ranges?: number;
  onProgress?: (checked: number, head: bigint) => void;
}>;

/**
 * A stretch of the log to verify on its own: the events after `after` up to `until.position`,
 * starting from the hash stored at `after` and ending at the hash `until` records. Each event's
 * check needs only the hash before it, so the ranges of a log can be verified at once.
 */
export type RangeTask = Readonly<{
  after: bigint;
  previousHash: string;
  until: LogHead;
  expected: readonly ExpectedHash[];
  batchSize: number;
}>;

export type RangeOutcome = Readonly<{ checked: number; fault?: ChainFault }>;

const PARALLEL_FROM = 100_000n;
/** Batches read by one scan of hash inputs: 100,000 events, half a second here, by default. */
const SCANNED_BATCHES = 20;

/**
 * Recomputes the whole chain from the store up to the head it reads first (events appended
 * meanwhile are left for the next run), against the signed checkpoints given, and names the first
 * fault. Where the store verifies ranges at once, the log is cut into ranges, and the first fault
 * is the first one of the first range that has one. Memory does not grow with the log.
 */
export async function verifyLog(store: VerifiedStore, options: VerifyOptions = {}): Promise<Verification> {
  const head = await store.head();
  const { checkpoints = [], publicKey, batchSize = 5000 } = options;
  if (checkpoints.length > 0 && !publicKey) throw new RangeError('Checkpoints can only be trusted with the public key that signed them.');
  const { expected, forged } = publicKey ? trustedHashes(checkpoints, publicKey) : { expected: [] };
  if (forged) {
    const detail = 'a checkpoint whose signature does not verify under the public key: altered, or signed with another key';
    return { ok: false, checked: 0, head, firstBad: { position: forged.position, stream: null, reason: 'checkpoint-signature', detail } };
  }
  const outcomes = await verifyRanges(store, head, expected, { ...options, batchSize });
  const faulty = outcomes.findIndex((outcome) => outcome.fault);
  const counted = faulty < 0 ? outcomes : outcomes.slice(0, faulty + 1);
  const checked = counted.reduce((sum, outcome) => sum + outcome.checked, 0);
  const firstBad = faulty < 0 ? await beyondTheHead(store, head) : outcomes[faulty].fault;
  return { ok: firstBad === undefined, checked, head, ...(firstBad && { firstBad }) };
}

/** The log verified in ranges at once, each on a thread of its own, where the store allows; else in one. */
async function verifyRanges(
  store: VerifiedStore,
  head: LogHead,
  expected: readonly ExpectedHash[],
  options: VerifyOptions & Readonly<{ batchSize: number }>,
): Promise<RangeOutcome[]> {
  const count = sharesPostgres(store) ? (options.ranges ?? (head.position >= PARALLEL_FROM ? availableParallelism() : 1)) : 1;
  const tasks = await rangesOf(store, head, count, expected, options.batchSize);
  const checkedSoFar = tasks.map(() => 0);
  const progress = (index: number) => (checked: number) => {
    checkedSoFar[index] = checked;
    options.onProgress?.(
      checkedSoFar.reduce((sum, each) => sum + each, 0),
      head.position,
    );
  };
  if (tasks.length === 1 || !sharesPostgres(store)) return [await verifyRange(store, tasks[0], progress(0))];
  return Promise.all(tasks.map((task, index) => verifyRangeOnThread({ database: store.connectionSettings(), task }, progress(index))));
}

type VerifiedStore = Pick<EventStore, 'readAll' | 'head'> & Partial<HashInputScans & SharedPostgres>;

/** The log cut into `count` ranges of about the same length, each starting from the hash stored where the one before ends. */
async function rangesOf(
  store: VerifiedStore,
  head: LogHead,
  count: number,
  expected: readonly ExpectedHash[],
  batchSize: number,
): Promise<RangeTask[]> {
  const whole: RangeTask = { after: 0n, previousHash: GENESIS_HASH, until: head, expected, batchSize };
  const length = head.position / BigInt(Math.max(1, count));
  if (count <= 1 || length === 0n) return [whole];
  const starts: LogHead[] = [{ position: 0n, hash: GENESIS_HASH }];
  for (let index = 1; index < count; index++) {
    const [event] = await store.readAll(length * BigInt(index) - 1n, 1);
    // A range starts from a stored hash; where there is none to start from, the log is checked in one.
    if (event?.position !== length * BigInt(index)) return [whole];
    starts.push({ position: event.position, hash: event.hash });
  }
  return starts.map((start, index) => {
    const until = starts[index + 1] ?? head;
    const last = index === starts.length - 1;
    const mine = expected.filter((checkpoint) => checkpoint.position > start.position && (last || checkpoint.position <= until.position));
    return { after: start.position, previousHash: start.hash, until, expected: mine, batchSize };
  });
}

/**
 * Verifies one range: from the store's hash inputs where it has them, from the events themselves,
 * a batch at a time, where it has not or where those inputs do not check.
 */
export async function verifyRange(store: VerifiedStore, task: RangeTask, onProgress?: (checked: number) => void): Promise<RangeOutcome> {
  const { until, batchSize } = task;
  const verifier = new ChainVerifier(task.expected, { position: task.after, hash: task.previousHash });
  const scanHashInputs = scansHashInputs(store) ? store.scanHashInputs.bind(store) : undefined;
  while (!verifier.fault && verifier.reached < until.position) {
    if (scanHashInputs) {
      // A stretch at a time, so that no one read holds its snapshot (and vacuum back) for long.
      const stretch = verifier.reached + BigInt(SCANNED_BATCHES * batchSize);
      const to = stretch < until.position ? stretch : until.position;
      await scanHashInputs(verifier.reached, to, (event) => {
        if (!verifier.acceptInput(event)) return false;
        if (verifier.checked % batchSize === 0) onProgress?.(verifier.checked);
        return true;
      });
      if (verifier.reached === to) continue;
    }
    // No fast path, or it stopped at an event it could not vouch for: the events themselves decide.
    const left = until.position - verifier.reached;
    const events = await store.readAll(verifier.reached, Number(left < BigInt(batchSize) ? left : BigInt(batchSize)));
    if (events.length === 0 || !events.every((event) => verifier.accept(event))) break;
    onProgress?.(verifier.checked);
  }
  onProgress?.(verifier.checked);
  const fault = verifier.finish(until);
  return fault ? { checked: verifier.checked, fault } : { checked: verifier.checked };
}

/** An event past the head is fine if the head has moved on to cover it (an append since), forged if not. */
async function beyondTheHead(store: VerifiedStore, head: LogHead): Promise<ChainFault | undefined> {
  const [next] = await store.readAll(head.position, 1);
  if (!next || next.position <= (await store.head()).position) return undefined;
  return {
    position: next.position.toString(),
    stream: next.streamId,
    reason: 'unexpected',
    detail: 'an event past the position the log head records',
  };
}

/** Verifies one range on a thread of its own, which opens its own connections to the same store. */
function verifyRangeOnThread(data: RangeThreadData, onProgress: (checked: number) => void): Promise<RangeOutcome> {
  return new Promise((resolve, reject) => {
    const thread = threadBeside(__filename, 'verify-range.thread', { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    thread.on('message', (message: RangeThreadMessage) =>
      message.kind === 'progress' ? onProgress(message.checked) : resolve(message.outcome),
    );
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the verifying thread stopped (${code}) before it had verified its range`)));
  });
}
