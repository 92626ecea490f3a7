import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

export type ChainedFields = Readonly<{
  position: bigint;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  recordedAt: Date;
  data: object;
  metadata: object;
}>;

/**
 * The hash of one event: SHA-256 over the previous event's hash (32 bytes) followed by the
 * RFC 8785 canonical JSON of the event's fields. Changing, removing, inserting or reordering
 * any event changes every hash after it.
 */
export function chainHash(previousHash: string, event: ChainedFields): string {
  const body = canonicalJson({
    position: event.position.toString(),
    stream: event.streamId,
    version: event.version,
    eventId: event.eventId,
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
  });
  return createHash('sha256').update(Buffer.from(previousHash, 'hex')).update(body, 'utf8').digest('hex');
}
