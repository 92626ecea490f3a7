import { KeyObject, createHash, sign, verify } from 'node:crypto';
import { canonicalJson } from '@app/event-store';
import { ExpectedHash } from './chain-verifier';

/** An Ed25519 signature over {position, hash, time}: the log had this hash at this position then. */
export type AuditCheckpoint = Readonly<{ position: string; hash: string; signedAt: string; keyId: string; signature: string }>;

const signedBytes = (checkpoint: Pick<AuditCheckpoint, 'position' | 'hash' | 'signedAt'>) =>
  Buffer.from(canonicalJson({ position: checkpoint.position, hash: checkpoint.hash, time: checkpoint.signedAt }), 'utf8');

/** A short, stable name for a public key: the start of the SHA-256 of its SPKI encoding. */
export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);

export function signCheckpoint(
  privateKey: KeyObject,
  publicKey: KeyObject,
  at: { position: bigint; hash: string; signedAt: Date },
): AuditCheckpoint {
  const unsigned = { position: at.position.toString(), hash: at.hash, signedAt: at.signedAt.toISOString() };
  return { ...unsigned, keyId: keyIdOf(publicKey), signature: sign(null, signedBytes(unsigned), privateKey).toString('base64') };
}

export function isCheckpointSignedBy(publicKey: KeyObject, checkpoint: AuditCheckpoint): boolean {
  try {
    return verify(null, signedBytes(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The hashes a verifier must find, from checkpoints whose signatures check out under the public
 * key; or the first checkpoint that does not, which is itself a fault.
 */
export function trustedHashes(
  checkpoints: readonly AuditCheckpoint[],
  publicKey: KeyObject,
): { expected: ExpectedHash[]; forged?: AuditCheckpoint } {
  const ordered = [...checkpoints].sort((a, b) => Number(BigInt(a.position) - BigInt(b.position)));
  const forged = ordered.find((checkpoint) => !isCheckpointSignedBy(publicKey, checkpoint));
  return { expected: ordered.map((checkpoint) => ({ position: BigInt(checkpoint.position), hash: checkpoint.hash })), forged };
}
