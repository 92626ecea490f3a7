import type { AppendExpectedRevision, EventData, JSONEventType, JSONRecordedEvent } from '@eventstore/db-client';
import { IdempotencyClaim, IdempotencyRecord, JsonObject, RecordedEvent } from '../event-store.port';
import { PlannedEvent } from '../append-plan';

/**
 * Every event of the service lives in ONE EventStoreDB stream, the log: its revisions are our
 * positions less one, so the global order is gap-free by EventStoreDB's own guarantee, and
 * appending at an expected revision of the log serialises writers across processes.
 */
export const LOG_STREAM = 'learning-actions-log';

/** A log stream name: letters, digits and hyphens, so it can never be one of EventStoreDB's own ($...) streams. */
export const LOG_STREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

/** What we keep in an EventStoreDB event's metadata besides the application's own. */
export type LogMetadata = {
  stream: string;
  version: number;
  recordedAt: string;
  prevHash: string;
  hash: string;
  metadata: JsonObject;
  /** On the last event of an append made under an Idempotency-Key. */
  idempotency?: IdempotencyClaim;
  $correlationId?: string;
  $causationId?: string;
};

type LogEventType = JSONEventType<string, JsonObject, LogMetadata>;

export const logRevisionOf = (position: bigint): bigint => position - 1n;
export const positionOf = (revision: bigint): bigint => revision + 1n;

/** The log's revision an append must find: none for an empty log, else the tip's. */
export function expectedLogRevision(tipPosition: bigint): AppendExpectedRevision {
  return tipPosition === 0n ? 'no_stream' : logRevisionOf(tipPosition);
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** One planned event as EventStoreDB stores it; our event id becomes its event id. */
export function toEventData(planned: PlannedEvent, claim?: IdempotencyRecord): EventData<LogEventType> {
  const metadata = planned.event.metadata;
  return {
    id: planned.event.eventId,
    type: planned.event.type,
    contentType: 'application/json',
    data: planned.event.data as JsonObject,
    metadata: {
      stream: planned.streamId,
      version: planned.version,
      recordedAt: planned.recordedAt.toISOString(),
      prevHash: planned.prevHash,
      hash: planned.hash,
      metadata,
      ...(claim && { idempotency: { scope: claim.scope, key: claim.key, fingerprint: claim.fingerprint, outcome: claim.outcome } }),
      // EventStoreDB's own projections ($by_correlation_id) read these two.
      ...(asString(metadata.correlationId) && { $correlationId: asString(metadata.correlationId) }),
      ...(asString(metadata.causationId) && { $causationId: asString(metadata.causationId) }),
    },
  } as EventData<LogEventType>;
}

/** An event read from the log, and the idempotency claim it carries, if any. */
export function fromLogEvent(event: Pick<JSONRecordedEvent, 'revision' | 'id' | 'type' | 'data' | 'metadata'>): {
  event: RecordedEvent;
  claim?: IdempotencyRecord;
} {
  const meta = event.metadata as unknown as LogMetadata;
  if (typeof meta?.stream !== 'string' || typeof meta.version !== 'number' || typeof meta.hash !== 'string') {
    throw new Error(`Event ${event.id} at revision ${event.revision} of the log was not written by this service.`);
  }
  const recorded: RecordedEvent = {
    position: positionOf(event.revision),
    streamId: meta.stream,
    version: meta.version,
    eventId: event.id,
    type: event.type,
    data: event.data as JsonObject,
    metadata: meta.metadata,
    recordedAt: new Date(meta.recordedAt),
    hash: meta.hash,
  };
  const claim = meta.idempotency && {
    ...meta.idempotency,
    streamId: recorded.streamId,
    version: recorded.version,
    position: recorded.position,
    createdAt: recorded.recordedAt,
  };
  return { event: recorded, claim };
}
