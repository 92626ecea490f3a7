import { DomainEvent, EventFacts, dayInEngland, isCalendarDate, whyUnreadable } from '@app/domain';
import { RecordedEvent } from '@app/event-store';

/** A recorded event as the domain's schemas see it: its type, its data and the day it happened. */
export const factsOf = (event: RecordedEvent): EventFacts => ({
  type: event.type,
  data: event.data,
  occurredOn: event.metadata.occurredOn,
});

/** An event in the log that its type's schema says no reader can fold: the reader sets it aside. */
export class UnreadableEvent extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnreadableEvent';
  }
}

/** Why no reader can fold the event, or undefined. */
export const whyUnfoldable = (event: RecordedEvent): string | undefined => whyUnreadable(factsOf(event));

/** A recorded event's data as the domain event type it was written as; throws UnreadableEvent when it does not hold to its schema. */
export function dataOf<Event extends DomainEvent>(event: RecordedEvent): Event['data'] {
  const why = whyUnfoldable(event);
  if (why) throw new UnreadableEvent(why);
  return event.data as unknown as Event['data'];
}

/** The events a fold can read, as the domain's events: those it cannot are left out (the read models set them aside). */
export const readableEvents = <Event extends DomainEvent>(events: readonly RecordedEvent[]): Event[] =>
  events.filter((event) => whyUnfoldable(event) === undefined).map((event) => ({ type: event.type, data: event.data }) as unknown as Event);

/** A field of the event's data that names what it is about, to find its document by, read without trusting the data. */
export function keyField(event: RecordedEvent, field: string): string {
  const value = event.data[field];
  return typeof value === 'string' ? value : '';
}

/** The day an event happened, where it says one (an imported event does) and that is a real day: else undefined, whatever the log holds. */
export function happenedOn(event: Pick<RecordedEvent, 'metadata'>): string | undefined {
  const occurredOn = event.metadata.occurredOn;
  return isCalendarDate(occurredOn) ? occurredOn : undefined;
}

/**
 * The day an event counts on in reports: the day it happened (`occurredOn`, which an imported event
 * carries), else the day in England it was recorded.
 */
export function dayOf(event: RecordedEvent): string {
  return happenedOn(event) ?? dayInEngland(event.recordedAt);
}

/**
 * The day a document's version made by the event counts from: the event's day, never before the
 * day of the version it follows, so that each day has one version of the document, its last.
 */
export function dayOfChange(previous: { changedOn?: string } | undefined, event: RecordedEvent): string {
  const day = dayOf(event);
  return previous?.changedOn !== undefined && previous.changedOn > day ? previous.changedOn : day;
}
