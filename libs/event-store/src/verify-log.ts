import { KeyObject } from 'node:crypto';
import { AuditCheckpoint, trustedHashes } from './audit-checkpoint';
import { ChainFault, ChainVerifier } from './chain-verifier';
import { ChainedRecord, EventStore, LogHead, RecordedEvent } from './event-store.port';

export type Verification = Readonly<{ ok: boolean; checked: number; head: LogHead; firstBad?: ChainFault }>;

export type VerifyOptions = Readonly<{
  /** Checkpoints an auditor kept (or the store's own): each must verify under `publicKey`, and the chain must pass through its hash. */
  checkpoints?: readonly AuditCheckpoint[];
  publicKey?: KeyObject;
  batchSize?: number;
  onProgress?: (checked: number, head: bigint) => void;
}>;

/**
 * Recomputes the whole chain from the store, batch by batch, up to the head it reads first
 * (events appended meanwhile are left for the next run), against the signed checkpoints given,
 * and names the first fault. Memory does not grow with the log.
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
  const verifier = new ChainVerifier(expected);
  const readChainedText = store.readChainedText?.bind(store);
  const readAfter = (after: bigint): Promise<readonly Checked[]> | undefined => {
    if (after >= head.position) return undefined;
    const left = head.position - after;
    const limit = Number(left < BigInt(batchSize) ? left : BigInt(batchSize));
    const reading = readChainedText ? readChainedText(after, limit) : store.readAll(after, limit);
    // A batch abandoned at a fault is not read on: its failure, if any, is not news.
    reading.catch(() => undefined);
    return reading;
  };
  // The next batch is read while this one is hashed: the database and the hashing overlap.
  let next = readAfter(0n);
  while (next) {
    const batch = await next;
    if (batch.length === 0) break;
    next = readAfter(BigInt(batch[batch.length - 1].position));
    if (!(await checkBatch(store, verifier, batch))) break;
    options.onProgress?.(verifier.checked, head.position);
  }
  const firstBad = verifier.finish(head) ?? (await beyondTheHead(store, head));
  return { ok: firstBad === undefined, checked: verifier.checked, head, ...(firstBad && { firstBad }) };
}

type VerifiedStore = Pick<EventStore, 'readAll' | 'head' | 'readChainedText'>;
type Checked = RecordedEvent | ChainedRecord;
const isChainedText = (item: Checked): item is ChainedRecord => typeof item.position === 'string';

/**
 * Checks a batch read either way. From the text its hash covers, an event that does not check is
 * read again, with the rest of the batch, and checked from its content: that decides.
 */
async function checkBatch(store: VerifiedStore, verifier: ChainVerifier, batch: readonly Checked[]): Promise<boolean> {
  for (const [index, item] of batch.entries()) {
    if (isChainedText(item) ? verifier.acceptText(item) : verifier.accept(item)) continue;
    if (verifier.fault) return false;
    const events = await store.readAll(BigInt(item.position) - 1n, batch.length - index);
    return events.every((event) => verifier.accept(event));
  }
  return true;
}

/** An event past the head is fine if the head has moved on to cover it (an append since), forged if not. */
async function beyondTheHead(store: VerifiedStore, head: LogHead): Promise<ChainFault | undefined> {
  const [next] = await store.readAll(head.position, 1);
  if (!next || next.position <= (await store.head()).position) return undefined;
  return { position: next.position.toString(), stream: next.streamId, reason: 'unexpected', detail: 'an event past the position the log head records' };
}
