import {
  AppendResult,
  DuplicateEventId,
  IdempotencyKeyTaken,
  IdempotencyRecord,
  NewEvent,
  StreamAppend,
  WrongExpectedVersion,
} from './event-store.port';
import { chainedFields, chainedText, hashAfter } from './hash-chain';

/** Where the log ends when a group is planned: the last position, its hash and its recorded time. */
export type LogTip = Readonly<{ position: bigint; hash: string; recordedAt: Date }>;

/** What the store knows, at the tip, about the streams, event ids and idempotency keys a group touches. */
export type KnownLog = Readonly<{
  versionOf(streamId: string): number;
  isRecorded(eventId: string): boolean;
  /** A claim on the key still within the idempotency window. */
  liveClaim(scope: string, key: string): IdempotencyRecord | undefined;
}>;

export type AppendRequest = StreamAppend;

export type PlannedEvent = Readonly<{
  position: bigint;
  streamId: string;
  version: number;
  event: NewEvent;
  /** The event's data and metadata as RFC 8785 canonical JSON: the text its hash covers, and the text stored. */
  data: string;
  metadata: string;
  recordedAt: Date;
  prevHash: string;
  hash: string;
}>;

export type AppendPlan = Readonly<{
  /** One per request, in order: its result, or why it is refused. */
  outcomes: (AppendResult | Error)[];
  /** The events to write, in log order, positions following the tip without a gap. */
  events: PlannedEvent[];
  claims: IdempotencyRecord[];
  tip: LogTip;
}>;

const claimKey = (scope: string, key: string) => `${scope}\u0000${key}`;

/**
 * Decides a group of appends against the log as it stands, by the append rules numbered in
 * docs/event-store.md (cited below), which `append_events` implements in PL/pgSQL for PostgreSQL.
 * Writing the plan is the adapter's part.
 */
export function planAppends(tip: LogTip, recordedAt: Date, requests: readonly AppendRequest[], known: KnownLog): AppendPlan {
  const versions = new Map<string, number>();
  const eventIds = new Set<string>();
  const claims = new Map<string, IdempotencyRecord>();
  const events: PlannedEvent[] = [];
  let position = tip.position;
  let hash = tip.hash;

  // Rule 1: in order, each seeing the accepted ones before it; rules 5 and 9: the first check that fails is the outcome, and nothing is kept of it.
  const outcomes = requests.map(({ streamId, events: appended, options }): AppendResult | Error => {
    // Rule 2.
    const actual = versions.get(streamId) ?? known.versionOf(streamId);
    if (actual !== options.expectedVersion) return new WrongExpectedVersion(streamId, options.expectedVersion, actual);
    // Rule 3.
    const duplicate = appended.find(
      (event, index) =>
        eventIds.has(event.eventId) || known.isRecorded(event.eventId) || appended.findIndex((e) => e.eventId === event.eventId) !== index,
    );
    if (duplicate) return new DuplicateEventId(duplicate.eventId);
    // Rule 4.
    const claim = options.idempotency;
    const taken = claim && (claims.get(claimKey(claim.scope, claim.key)) ?? known.liveClaim(claim.scope, claim.key));
    if (taken) return new IdempotencyKeyTaken(taken);

    // Rules 6 and 7.
    let version = actual;
    for (const event of appended) {
      position += 1n;
      version += 1;
      const prevHash = hash;
      const fields = chainedFields({ ...event, position, streamId, version, recordedAt });
      hash = hashAfter(prevHash, chainedText(fields));
      events.push({ position, streamId, version, event, data: fields.data, metadata: fields.metadata, recordedAt, prevHash, hash });
      eventIds.add(event.eventId);
    }
    versions.set(streamId, version);
    // Rule 8.
    if (claim) claims.set(claimKey(claim.scope, claim.key), { ...claim, streamId, version, position, createdAt: recordedAt });
    return { streamId, version, position };
  });
  return {
    outcomes,
    events,
    claims: [...claims.values()],
    tip: { position, hash, recordedAt: events.length > 0 ? recordedAt : tip.recordedAt },
  };
}
