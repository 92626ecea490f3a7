import { hash } from 'node:crypto';
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

/** The fields a hash covers, each as it is written into the hashed text; data and metadata as canonical JSON. */
export type ChainedText = Readonly<{
  position: string;
  streamId: string;
  version: number | string;
  eventId: string;
  type: string;
  /** ISO 8601 in UTC to the millisecond, as `Date.prototype.toISOString` writes it. */
  recordedAt: string;
  data: string;
  metadata: string;
}>;

/**
 * The hashed text's fixed parts: what stands before each value, keys in RFC 8785 order (position
 * and recorded time are JSON strings, whose quotes the parts around them hold). The one statement
 * of the format: `chainedText` below writes from it, so does PostgreSQL's hash-input renderer
 * (`postgres/hash-inputs.ts`), and `append_events`' one literal (between position and recorded
 * time) is held to it by `postgres/append-events.spec.ts`. docs/audit.md describes it.
 */
export const HASHED_TEXT = {
  beforeData: '{"data":',
  beforeEventId: ',"eventId":',
  beforeMetadata: ',"metadata":',
  beforePosition: ',"position":"',
  beforeRecordedAt: '","recordedAt":"',
  beforeStream: '","stream":',
  beforeType: ',"type":',
  beforeVersion: ',"version":',
  end: '}',
} as const;

/**
 * The text an event's hash covers: the RFC 8785 canonical JSON of its fields, written directly
 * from their canonical parts, the keys in canonical order.
 */
export function chainedText(event: ChainedText): string {
  const [beforePosition, afterRecordedAt] = chainedTextAround(event);
  // Digits and an ISO instant: nothing in them to escape.
  return `${beforePosition}${event.position}${HASHED_TEXT.beforeRecordedAt}${event.recordedAt}${afterRecordedAt}`;
}

/**
 * The text an event's hash covers, all but its position and recorded time: what comes before the
 * position, and what comes after the recorded time (between the two, `HASHED_TEXT.beforeRecordedAt`).
 * For a store that assigns both where it writes.
 */
export function chainedTextAround(event: Omit<ChainedText, 'position' | 'recordedAt'>): [beforePosition: string, afterRecordedAt: string] {
  const t = HASHED_TEXT;
  return [
    `${t.beforeData}${event.data}${t.beforeEventId}${JSON.stringify(event.eventId)}${t.beforeMetadata}${event.metadata}${t.beforePosition}`,
    `${t.beforeStream}${JSON.stringify(event.streamId)}${t.beforeType}${JSON.stringify(event.type)}${t.beforeVersion}${event.version}${t.end}`,
  ];
}

/** The fields of an event as its hash covers them: what `chainedText` writes, and the store keeps. */
export function chainedFields(event: ChainedFields): ChainedText {
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    version: event.version,
    eventId: event.eventId,
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    data: canonicalJson(event.data),
    metadata: canonicalJson(event.metadata),
  };
}

export function chainedTextOf(event: ChainedFields): string {
  return chainedText(chainedFields(event));
}

let hashed = Buffer.allocUnsafe(64 * 1024);

/**
 * The hash of one event: SHA-256 over the previous event's hash (32 bytes) followed by the
 * RFC 8785 canonical JSON of the event's fields (`chainedText`). Changing, removing, inserting or
 * reordering any event changes every hash after it.
 */
export function hashAfter(previousHash: string, text: string): string {
  // One buffer, reused: a verifier hashes millions of events, and the garbage is most of its cost.
  if (hashed.length < 32 + text.length * 3) hashed = Buffer.allocUnsafe(2 * (32 + text.length * 3));
  hashed.write(previousHash, 0, 32, 'hex');
  const length = 32 + hashed.write(text, 32, 'utf8');
  return hash('sha256', hashed.subarray(0, length), 'hex');
}

export function chainHash(previousHash: string, event: ChainedFields): string {
  return hashAfter(previousHash, chainedTextOf(event));
}
