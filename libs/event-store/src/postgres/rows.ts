import { ChainedRecord, JsonObject, RecordedEvent } from '../event-store.port';

export const EVENT_COLUMNS =
  "position, stream_id, version, event_id, type, data, metadata, recorded_at, encode(hash, 'hex') AS hash";

export type EventRow = {
  position: string;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recorded_at: Date;
  hash: string;
};

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: BigInt(row.position),
    streamId: row.stream_id,
    version: row.version,
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    hash: row.hash,
  };
}

/** Every column as the text PostgreSQL sends, unparsed. */
export const AS_SENT = { getTypeParser: () => (text: string) => text };

/** The columns of `chainedText`, as text; the instant as a UTC timestamp, `2026-11-29 06:30:31.12`. */
export const CHAINED_TEXT_COLUMNS =
  "position, stream_id, version, event_id, type, data, metadata, recorded_at AT TIME ZONE 'UTC', encode(hash, 'hex')";

/** A row of `CHAINED_TEXT_COLUMNS`, read with `rowMode: 'array'` and `AS_SENT`. */
export function toChainedRecord([position, streamId, version, eventId, type, data, metadata, recordedAt, hash]: string[]): ChainedRecord {
  return { position, streamId, version, eventId, type, recordedAt: isoInstant(recordedAt), data, metadata, hash };
}

/** PostgreSQL's ISO rendering of a timestamp (fraction trimmed) as `Date.prototype.toISOString` writes it. */
function isoInstant(timestamp: string): string {
  const milliseconds = timestamp.length > 20 ? timestamp.slice(20, 23).padEnd(3, '0') : '000';
  return `${timestamp.slice(0, 10)}T${timestamp.slice(11, 19)}.${milliseconds}Z`;
}
