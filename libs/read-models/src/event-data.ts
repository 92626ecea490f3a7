import { DomainEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';

/** A recorded event's data as the domain event type it was written as. */
export const dataOf = <Event extends DomainEvent>(event: RecordedEvent): Event['data'] => event.data as unknown as Event['data'];

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The day an event counts on in reports: the day it happened (`occurredOn`, which an imported event
 * carries), else the day it was recorded (UTC).
 */
export function dayOf(event: RecordedEvent): string {
  const occurredOn = event.metadata.occurredOn;
  return typeof occurredOn === 'string' && CALENDAR_DATE.test(occurredOn) ? occurredOn : event.recordedAt.toISOString().slice(0, 10);
}
