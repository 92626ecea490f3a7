import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore, LogFilter, RecordedEvent } from '@app/event-store';

/** What an auditor narrows the log to: the instants it was recorded between, who recorded it, one stream. */
export type AuditFilter = LogFilter;

/** A page of the log in its global order, after a position, as an auditor filters it. */
export class ListAuditEventsQuery extends Query<AuditEventsPage> {
  constructor(
    readonly filter: LogFilter,
    readonly after: bigint,
    readonly limit: number,
  ) {
    super();
  }
}

/** The events of the page, and the position the next page starts after, if there is one. */
export type AuditEventsPage = Readonly<{ events: RecordedEvent[]; nextAfter?: bigint }>;

@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ filter, after, limit }: ListAuditEventsQuery): Promise<AuditEventsPage> {
    const page = await this.store.readAll(after, limit + 1, filter);
    const events = page.slice(0, limit);
    return { events, ...(page.length > limit && { nextAfter: events[events.length - 1].position }) };
  }
}
