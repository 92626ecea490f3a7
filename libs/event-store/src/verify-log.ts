import { KeyObject } from 'node:crypto';
import { AuditCheckpoint, trustedHashes } from './audit-checkpoint';
import { ChainFault, ChainVerifier } from './chain-verifier';
import { EventStore, LogHead } from './event-store.port';

export type Verification = Readonly<{ ok: boolean; checked: number; head: LogHead; firstBad?: ChainFault }>;

export type VerifyOptions = Readonly<{
  /** Checkpoints an auditor kept (or the store's own): each must verify under `publicKey`, and the chain must pass through its hash. */
  checkpoints?: readonly AuditCheckpoint[];
  publicKey?: KeyObject;
  batchSize?: number;
  onProgress?: (checked: number, head: bigint) => void;
}>;

/**
 * Recomputes the whole chain from the store up to the head it reads first (events appended
 * meanwhile are left for the next run), against the signed checkpoints given, and names the first
 * fault. From the store's hash inputs where it has them, from the events themselves, a batch at a
 * time, where it has not or where those inputs do not check. Memory does not grow with the log.
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
  const progress = () => options.onProgress?.(verifier.checked, head.position);
  const scanHashInputs = store.scanHashInputs?.bind(store);
  while (!verifier.fault && verifier.reached < head.position) {
    if (scanHashInputs) {
      await scanHashInputs(verifier.reached, head.position, (event) => {
        if (!verifier.acceptInput(event)) return false;
        if (verifier.checked % batchSize === 0) progress();
        return true;
      });
      if (verifier.reached === head.position) break;
    }
    // No fast path, or it stopped at an event it could not vouch for: the events themselves decide.
    const left = head.position - verifier.reached;
    const events = await store.readAll(verifier.reached, Number(left < BigInt(batchSize) ? left : BigInt(batchSize)));
    if (events.length === 0 || !events.every((event) => verifier.accept(event))) break;
    progress();
  }
  progress();
  const firstBad = verifier.finish(head) ?? (await beyondTheHead(store, head));
  return { ok: firstBad === undefined, checked: verifier.checked, head, ...(firstBad && { firstBad }) };
}

type VerifiedStore = Pick<EventStore, 'readAll' | 'head' | 'scanHashInputs'>;

/** An event past the head is fine if the head has moved on to cover it (an append since), forged if not. */
async function beyondTheHead(store: VerifiedStore, head: LogHead): Promise<ChainFault | undefined> {
  const [next] = await store.readAll(head.position, 1);
  if (!next || next.position <= (await store.head()).position) return undefined;
  return { position: next.position.toString(), stream: next.streamId, reason: 'unexpected', detail: 'an event past the position the log head records' };
}
