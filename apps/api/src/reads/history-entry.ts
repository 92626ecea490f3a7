import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RecordedEvent } from '@app/event-store';
import { happenedOn } from '@app/read-models';

/** An event as a history answers it: in order, with who and when, and the day it happened where it says one. */
export class HistoryEntryView {
  @ApiProperty() position!: string;
  @ApiProperty() version!: number;
  @ApiProperty() type!: string;
  @ApiProperty({ type: Object }) data!: object;
  @ApiProperty({ type: Object, description: 'sub, name, roles and partner of who did it' }) actor!: object;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiPropertyOptional({ format: 'date', description: 'The day it happened, when that is not the day it was recorded (an import)' })
  occurredOn?: string;
  @ApiProperty() eventId!: string;
}

export const historyEntry = (event: RecordedEvent): HistoryEntryView => ({
  position: event.position.toString(),
  version: event.version,
  type: event.type,
  data: event.data,
  actor: event.metadata.actor as object,
  recordedAt: event.recordedAt.toISOString(),
  ...(happenedOn(event) && { occurredOn: happenedOn(event) }),
  eventId: event.eventId,
});
