import { DomainEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';

/** A recorded event's data as the domain event type it was written as. */
export const dataOf = <Event extends DomainEvent>(event: RecordedEvent): Event['data'] => event.data as unknown as Event['data'];
