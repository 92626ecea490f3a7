import { JsonObject, RecordedEvent } from '../event-store.port';

export const EVENT_COLUMNS = "position, stream_id, version, event_id, type, data, metadata, recorded_at, encode(hash, 'hex') AS hash";

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
